package org.llamapro.train.model;

/** Where model weights come from, by Hugging Face tensor name (a checkpoint, or a test's map). */
public interface TensorSource {
  boolean contains(String name);

  /** Shape of a tensor, outermost dimension first. */
  long[] shape(String name);

  /** The tensor's values as F32, whatever the stored dtype. */
  float[] readFloats(String name);

  /** The file holding {@code name} (or that should), for error messages; null when in memory. */
  default String location(String name) {
    return null;
  }
}
