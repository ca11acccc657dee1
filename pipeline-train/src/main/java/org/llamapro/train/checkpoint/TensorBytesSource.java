package org.llamapro.train.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Supplies a tensor's raw little-endian bytes by name when a writer gets to it, for example {@code
 * SafetensorsFile::bytes} (a mapped input) or a buffer filled from a model's weights. The buffer's
 * remaining bytes must be exactly the tensor's byte length; its position is not changed.
 */
@FunctionalInterface
public interface TensorBytesSource {
  ByteBuffer bytes(String name) throws IOException;
}
