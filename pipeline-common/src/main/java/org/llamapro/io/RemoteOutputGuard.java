package org.llamapro.io;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link OutputGuard}'s rule for outputs and inputs that may be remote (the data jobs' {@code
 * hdfs://} and {@code s3a://} paths): the output never contains and is never inside an input. Local
 * paths go to {@link OutputGuard} (links resolved); remote ones are compared by filesystem and
 * path.
 */
public final class RemoteOutputGuard {
  private RemoteOutputGuard() {}

  /** {@code inputs}: what names the input in the message (e.g. {@code --input stack}) to path. */
  public static void requireDisjoint(String output, Map<String, String> inputs) {
    URI out = uri(output);
    Map<String, Path> local = new LinkedHashMap<>();
    for (Map.Entry<String, String> input : inputs.entrySet()) {
      URI in = uri(input.getValue());
      if (isLocal(out) && isLocal(in)) {
        local.put(input.getKey(), Path.of(in.getPath()));
        continue;
      }
      if (!sameFileSystem(out, in)) {
        continue;
      }
      String o = directory(out.getPath());
      String i = directory(in.getPath());
      OutputGuard.Overlap overlap =
          o.equals(i)
              ? OutputGuard.Overlap.SAME
              : i.startsWith(o)
                  ? OutputGuard.Overlap.CONTAINS
                  : o.startsWith(i) ? OutputGuard.Overlap.INSIDE : null;
      if (overlap != null) {
        throw overlap.error("--output", output, input.getKey(), input.getValue());
      }
    }
    if (!local.isEmpty()) {
      OutputGuard.requireDisjoint(Path.of(out.getPath()), local);
    }
  }

  private static URI uri(String path) {
    return new org.apache.hadoop.fs.Path(path).toUri();
  }

  private static boolean isLocal(URI uri) {
    return uri.getScheme() == null || uri.getScheme().equals("file");
  }

  private static boolean sameFileSystem(URI a, URI b) {
    return String.valueOf(a.getScheme()).equalsIgnoreCase(String.valueOf(b.getScheme()))
        && String.valueOf(a.getAuthority()).equalsIgnoreCase(String.valueOf(b.getAuthority()));
  }

  private static String directory(String path) {
    String p = path == null || path.isEmpty() ? "/" : path;
    return p.endsWith("/") ? p : p + "/";
  }
}
