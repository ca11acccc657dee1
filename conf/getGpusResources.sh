#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs of this host as Spark expects, e.g.
#   {"name": "gpu", "addresses": ["0", "1", "2", "3"]}
# Referenced by spark.executor.resource.gpu.discoveryScript and spark.driver.resource.gpu.discoveryScript.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "getGpusResources.sh: nvidia-smi not found; is the NVIDIA driver installed in this container?" >&2
  exit 1
fi
ADDRS=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/","/g')
if [[ -z "$ADDRS" ]]; then
  echo "getGpusResources.sh: nvidia-smi lists no GPUs" >&2
  exit 1
fi
echo "{\"name\": \"gpu\", \"addresses\": [\"$ADDRS\"]}"
