package org.llamapro.train.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.llamapro.tokenizer.BundledTokenizer;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.HalfFloats;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.checkpoint.ShardedCheckpointWriter;
import org.llamapro.train.checkpoint.TensorSpec;

/** Loads a Hugging Face model directory (config.json + safetensors) into a {@link LlamaModel}. */
public final class PretrainedModels {
  private PretrainedModels() {}

  /** The directory's config. */
  public static LlamaConfig config(HfModelDirectory directory) {
    return LlamaConfig.fromHfConfig(directory);
  }

  public static LlamaModel load(Path directory, ComputeTarget target) {
    try (HfModelDirectory checkpoint = HfModelDirectory.open(directory)) {
      return LlamaModel.load(
          config(checkpoint), tensorSource(checkpoint), target.device(), target.dtype());
    }
  }

  /**
   * Writes a complete model directory: {@code config.json} and the tensors of {@code source} (in
   * {@code names} order) as safetensors in {@code dtype} (F32, F16 or BF16), sharded at {@code
   * maxShardBytes}.
   */
  public static void save(
      Path directory,
      LlamaConfig config,
      TensorSource source,
      Iterable<String> names,
      DType dtype,
      long maxShardBytes) {
    if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
      throw new IllegalArgumentException("Cannot save weights as " + dtype + " (F32, F16 or BF16)");
    }
    ShardedCheckpointWriter.Builder writer =
        ShardedCheckpointWriter.builder()
            .setOutputDirectory(directory)
            .optMaxShardBytes(maxShardBytes);
    for (String name : names) {
      writer.add(
          new TensorSpec(name, dtype, source.shape(name)), encode(source.readFloats(name), dtype));
    }
    writer.write();
    var json = config.toJson();
    json.put(
        "torch_dtype",
        dtype == DType.F32 ? "float32" : dtype == DType.F16 ? "float16" : "bfloat16");
    HfConfigJson.write(directory.resolve(HfModelDirectory.CONFIG), json);
  }

  /**
   * A freshly initialised model directory (transformers' initialisation, see {@link
   * InitializedWeights}) with the bundled LLaMA-2 {@code tokenizer.json}: what {@code init-model}
   * and the demo start from.
   */
  public static void initialize(
      Path directory, LlamaConfig config, DType dtype, long seed, long maxShardBytes) {
    InitializedWeights weights = new InitializedWeights(config, seed, 0.02);
    save(directory, config, weights, weights.names(), dtype, maxShardBytes);
    BundledTokenizer.copyTo(directory.resolve("tokenizer.json"));
  }

  /** Writes a {@code config.json} tree (see {@link HfConfigJson#write}). */
  public static void writeJson(Path file, JsonNode json) {
    HfConfigJson.write(file, json);
  }

  /** Little-endian bytes of {@code values} in {@code dtype}. */
  public static ByteBuffer encode(float[] values, DType dtype) {
    ByteBuffer out =
        ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      switch (dtype) {
        case F32 -> out.putFloat(v);
        case F16 -> out.putShort(HalfFloats.floatToF16(v));
        case BF16 -> out.putShort(HalfFloats.floatToBf16(v));
        default -> throw new IllegalArgumentException("Cannot encode floats as " + dtype);
      }
    }
    return out.flip();
  }

  /** The directory's tensors by name, converted to F32 on read. */
  public static TensorSource tensorSource(HfModelDirectory checkpoint) {
    return new TensorSource() {
      @Override
      public boolean contains(String name) {
        return checkpoint.tensorNames().contains(name);
      }

      @Override
      public long[] shape(String name) {
        return checkpoint.info(name).shape().clone();
      }

      @Override
      public float[] readFloats(String name) {
        return checkpoint.readFloats(name);
      }

      @Override
      public String location(String name) {
        Path file = contains(name) ? checkpoint.fileOf(name).path() : checkpoint.weightsFile();
        return file.toString();
      }
    };
  }
}
