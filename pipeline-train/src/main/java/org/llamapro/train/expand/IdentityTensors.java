package org.llamapro.train.expand;

import java.nio.ByteBuffer;
import java.util.regex.Pattern;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.checkpoint.TensorSpec;

/**
 * {@link Initialization#IDENTITY}, the paper's initialisation: a copy of the source block whose
 * residual-branch outputs (o_proj and down_proj, weights and biases) are zero. Both branches then
 * add zero to the residual stream, so the block is the identity and the expanded model computes
 * exactly what the base model does.
 */
final class IdentityTensors implements NewBlockTensors {
  /** The residual-branch outputs whose zeroing makes a copy an identity block. */
  static final Pattern ZEROED = Pattern.compile("(^|\\.)(o_proj|down_proj)\\.(weight|bias)$");

  private final HfModelDirectory model;
  private final ScratchBuffer zeros = new ScratchBuffer(); // never written: stays zero

  IdentityTensors(HfModelDirectory model) {
    this.model = model;
  }

  @Override
  public ByteBuffer bytes(TensorSpec spec, String sourceName) {
    if (ZEROED.matcher(spec.name()).find()) {
      return zeros.slice(spec.name(), spec.byteLength());
    }
    return model.bytes(sourceName);
  }
}
