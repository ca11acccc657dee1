package org.llamapro.train.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.llamapro.hash.Sha256;
import org.llamapro.train.checkpoint.SafetensorsFile;
import org.llamapro.train.checkpoint.TensorInfo;
import org.llamapro.train.model.TensorSource;

/**
 * A complete checkpoint of a run (a {@code checkpoints/step-NNNNNNNN} directory): the trainable
 * weights ({@value #WEIGHTS}, F32, Hugging Face names), the AdamW moments ({@value #OPTIMIZER},
 * {@code <name>.exp_avg} and {@code <name>.exp_avg_sq}) and {@value #STATE} (step, optimizer
 * updates, loss scale, data cursor, seed, shard table version, config, and the SHA-256 of the two
 * tensor files, which {@link #corruption()} checks before a run resumes or exports from it).
 */
public record RunCheckpoint(Path directory, int step, CheckpointState state) {
  public static final String WEIGHTS = "trainable.safetensors";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = CheckpointState.FILE_NAME;

  /** The files whose SHA-256 the state records. */
  static final List<String> TENSOR_FILES = List.of(WEIGHTS, OPTIMIZER);

  static final String EXP_AVG = ".exp_avg";
  static final String EXP_AVG_SQ = ".exp_avg_sq";

  /**
   * What is wrong with this checkpoint's files (a missing file, or one whose SHA-256 differs from
   * the one {@value #STATE} recorded), or empty when they are intact.
   */
  public Optional<String> corruption() {
    for (String name : TENSOR_FILES) {
      Path file = directory.resolve(name);
      String expected = state.sha256().get(name);
      if (expected == null) {
        return Optional.of(directory.resolve(STATE) + " records no SHA-256 of " + name);
      }
      if (!Files.isRegularFile(file)) {
        return Optional.of(file + " is missing");
      }
      String actual = Sha256.hex(file);
      if (!actual.equalsIgnoreCase(expected)) {
        return Optional.of(
            file + " has SHA-256 " + actual + " but " + STATE + " recorded " + expected);
      }
    }
    return Optional.empty();
  }

  public Path weightsFile() {
    return directory.resolve(WEIGHTS);
  }

  public DataCursor dataCursor() {
    return state.dataCursor();
  }

  /** The trainable weights of this checkpoint, read in full (F32). */
  public Map<String, float[]> readWeights() {
    Map<String, float[]> values = new LinkedHashMap<>();
    try (SafetensorsFile file = SafetensorsFile.open(weightsFile())) {
      for (TensorInfo info : file.tensors()) {
        values.put(info.name(), file.readFloats(info.name()));
      }
    }
    return values;
  }

  /** {@code [exp_avg, exp_avg_sq]} by parameter name. */
  @SuppressWarnings("unchecked")
  Map<String, float[]>[] readMoments() {
    Map<String, float[]> first = new LinkedHashMap<>();
    Map<String, float[]> second = new LinkedHashMap<>();
    try (SafetensorsFile file = SafetensorsFile.open(directory.resolve(OPTIMIZER))) {
      for (TensorInfo info : file.tensors()) {
        String name = info.name();
        if (name.endsWith(EXP_AVG_SQ)) {
          second.put(name.substring(0, name.length() - EXP_AVG_SQ.length()), file.readFloats(name));
        } else if (name.endsWith(EXP_AVG)) {
          first.put(name.substring(0, name.length() - EXP_AVG.length()), file.readFloats(name));
        }
      }
    }
    return new Map[] {first, second};
  }

  /**
   * {@code base} with this checkpoint's trainable weights in place of the base's: what the model
   * and the masters load from when a run resumes or is exported.
   */
  public TensorSource overlay(TensorSource base) {
    Map<String, float[]> weights = readWeights();
    return new TensorSource() {
      @Override
      public boolean contains(String name) {
        return base.contains(name);
      }

      @Override
      public long[] shape(String name) {
        return base.shape(name);
      }

      @Override
      public float[] readFloats(String name) {
        float[] values = weights.get(name);
        return values != null ? values.clone() : base.readFloats(name);
      }
    };
  }
}
