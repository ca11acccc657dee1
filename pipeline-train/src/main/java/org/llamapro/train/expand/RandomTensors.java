package org.llamapro.train.expand;

import java.nio.ByteBuffer;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.TensorSpec;
import org.llamapro.train.model.InitializedWeights;
import org.llamapro.train.model.PretrainedModels;

/**
 * {@link Initialization#RANDOM}: a fresh block as transformers initialises one (projections from
 * N(0, initializer_range), norms 1, biases 0), seeded by the seed and the tensor's new name.
 */
final class RandomTensors implements NewBlockTensors {
  private final long seed;
  private final double initializerRange;
  private final ScratchBuffer scratch = new ScratchBuffer();

  RandomTensors(long seed, double initializerRange) {
    this.seed = seed;
    this.initializerRange = initializerRange;
  }

  @Override
  public ByteBuffer bytes(TensorSpec spec, String sourceName) {
    DType dtype = spec.dtype();
    if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
      throw new IllegalArgumentException(
          "Cannot initialise " + spec.name() + " of dtype " + dtype + " randomly");
    }
    float[] values =
        InitializedWeights.values(
            spec.name(),
            spec.shape().length,
            Math.toIntExact(spec.numel()),
            seed,
            initializerRange);
    ByteBuffer out = scratch.slice(spec.name(), spec.byteLength());
    out.put(PretrainedModels.encode(values, dtype)).flip();
    return out;
  }
}
