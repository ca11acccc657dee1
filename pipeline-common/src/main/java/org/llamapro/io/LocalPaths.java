package org.llamapro.io;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Parses a path that must be on a local (or mounted) filesystem. {@code Path.of("s3a://b/x")} is
 * the relative path {@code s3a:/b/x}, so a remote URI given where only local paths work would be
 * silently misread as a local folder named {@code s3a:}; it is refused instead. {@code file:} URIs
 * are accepted.
 */
public final class LocalPaths {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");

  private LocalPaths() {}

  /** The local path {@code text}; {@code what} (an option or key) names it in the error. */
  public static Path of(String what, String text) {
    if (text.startsWith("file:")) {
      return Path.of(URI.create(text));
    }
    if (SCHEME.matcher(text).matches()) {
      throw new IllegalArgumentException(
          (what.isEmpty() ? "" : what + " ")
              + text
              + ": this takes a local or mounted directory; "
              + text.substring(0, text.indexOf(':'))
              + ":// paths are supported for shards and data inputs and outputs, not here");
    }
    return Path.of(text);
  }
}
