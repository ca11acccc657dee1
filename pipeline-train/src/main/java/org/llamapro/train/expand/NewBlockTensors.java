package org.llamapro.train.expand;

import java.nio.ByteBuffer;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.checkpoint.TensorSpec;

/**
 * Where the bytes of a new block's tensors come from: one implementation per {@link
 * Initialization}. The blocks kept from the base model are always copied byte for byte.
 */
sealed interface NewBlockTensors permits CopiedTensors, IdentityTensors, RandomTensors {

  /**
   * The bytes of {@code spec}, a tensor of a new block made from the base tensor {@code
   * sourceName}. The buffer may be reused for the next tensor, once the writer has written it.
   */
  ByteBuffer bytes(TensorSpec spec, String sourceName);

  static NewBlockTensors of(
      Initialization init, HfModelDirectory model, long seed, double initializerRange) {
    return switch (init) {
      case COPY -> new CopiedTensors(model);
      case IDENTITY -> new IdentityTensors(model);
      case RANDOM -> new RandomTensors(seed, initializerRange);
    };
  }
}
