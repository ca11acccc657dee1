package org.llamapro.data.prepare;

import org.llamapro.data.stage.Tables;

/**
 * {@code _progress/prepare.json}: marks a directory as a {@code data prepare} output. Written
 * before the first stage writes anything, so that a run that fails or is killed in its first stage
 * leaves a directory the next run recognises (and resumes) instead of refusing it as someone
 * else's.
 *
 * @param tool what wrote the directory, {@value #TOOL}
 * @param created when the first run started (ISO-8601)
 */
public record PrepareMarker(String tool, String created) {
  /** The marker's name under {@code _progress/}. */
  public static final String FILE = "prepare.json";

  static final String TOOL = "llamapro data prepare";

  /** Writes the marker unless the directory already has one. */
  static void ensure(Tables tables, String progressDirectory) {
    String path = progressDirectory + "/" + FILE;
    if (tables.readJson(path, PrepareMarker.class, "prepare output marker") == null) {
      tables.writeJson(path, new PrepareMarker(TOOL, java.time.Instant.now().toString()));
    }
  }
}
