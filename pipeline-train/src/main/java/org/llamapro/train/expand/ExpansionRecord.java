package org.llamapro.train.expand;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.llamapro.io.JsonFiles;

/**
 * {@code expansion.json}, written next to an expanded model: where it came from, how it was
 * expanded, which blocks are new (what training trains by default), and a SHA-256 of every other
 * file in the directory. Its presence also marks a directory as written by {@code expand}: only
 * such a directory may be replaced with {@code --overwrite}.
 *
 * @param format {@value #FORMAT}; another value is refused
 * @param source the input (base) model's directory, absolute
 * @param newBlocks indices of the inserted blocks in the expanded model, ascending
 * @param blockSources for each block of the expanded model, the base block it was made from
 * @param files every other file of the output by relative path
 */
public record ExpansionRecord(
    String format,
    String source,
    int oldLayers,
    int newLayers,
    Placement placement,
    Initialization init,
    long seed,
    List<Integer> newBlocks,
    List<Integer> blockSources,
    Map<String, FileDigest> files) {
  public static final String FILE_NAME = "expansion.json";
  public static final String FORMAT = "llama-pro-expansion/1";

  /** Size and SHA-256 (hex) of one output file. */
  public record FileDigest(long bytes, String sha256) {
    public FileDigest {
      requireNonNull(sha256, "sha256 is null");
    }
  }

  @JsonCreator
  public ExpansionRecord {
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException(
          "unknown format '" + format + "' (expected " + FORMAT + ")");
    }
    requireNonNull(source, "source is null");
    requireNonNull(placement, "placement is null");
    requireNonNull(init, "init is null");
    newBlocks = List.copyOf(newBlocks);
    blockSources = List.copyOf(blockSources);
    files = Map.copyOf(files);
  }

  /**
   * Reads {@code expansion.json} from a model directory; a clear error when absent or malformed (a
   * missing or unknown field is named).
   */
  public static ExpansionRecord read(Path modelDirectory) {
    Path file = modelDirectory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          modelDirectory
              + " has no "
              + FILE_NAME
              + ": it is not the output of `pipeline expand`, so there are no new blocks to train");
    }
    return JsonFiles.read(file, ExpansionRecord.class, "expansion record");
  }

  /** Writes this record as {@code expansion.json} into {@code modelDirectory}, atomically. */
  public void write(Path modelDirectory) {
    JsonFiles.write(modelDirectory.resolve(FILE_NAME), this);
  }
}
