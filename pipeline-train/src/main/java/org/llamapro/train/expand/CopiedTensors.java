package org.llamapro.train.expand;

import java.nio.ByteBuffer;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.checkpoint.TensorSpec;

/** {@link Initialization#COPY}: a new block is a plain copy of its source block. */
record CopiedTensors(HfModelDirectory model) implements NewBlockTensors {
  @Override
  public ByteBuffer bytes(TensorSpec spec, String sourceName) {
    return model.bytes(sourceName); // mapped, no copy onto the heap
  }
}
