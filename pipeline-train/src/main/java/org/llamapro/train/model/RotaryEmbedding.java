package org.llamapro.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings in the rotate-half convention of transformers' LLaMA: the head
 * dimension is split in two halves, and {@code x * cos + rotate_half(x) * sin} with {@code
 * rotate_half(x) = [-x2, x1]}. Frequencies are computed in F32 as transformers does.
 */
final class RotaryEmbedding {
  private RotaryEmbedding() {}

  /** The cos and sin tables for positions [start, start + length): each (length, hd). */
  static NDArray[] tables(
      NDManager manager, int start, int length, int headDim, double theta, DataType dtype) {
    int half = headDim / 2;
    float[] invFreq = new float[half];
    for (int i = 0; i < half; i++) {
      float exponent = (float) (2 * i) / headDim;
      invFreq[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
    }
    float[] cos = new float[length * headDim];
    float[] sin = new float[length * headDim];
    for (int t = 0; t < length; t++) {
      float position = start + t;
      for (int i = 0; i < half; i++) {
        float angle = position * invFreq[i];
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[t * headDim + i] = c;
        cos[t * headDim + half + i] = c;
        sin[t * headDim + i] = s;
        sin[t * headDim + half + i] = s;
      }
    }
    Shape shape = new Shape(length, headDim);
    return new NDArray[] {
      manager.create(cos, shape).toType(dtype, false),
      manager.create(sin, shape).toType(dtype, false)
    };
  }

  /** x (B, H, T, hd), cos/sin (T, hd) -> (B, H, T, hd). */
  static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
    long headDim = x.getShape().get(3);
    long half = headDim / 2;
    NDArray x1 = x.get(new NDIndex("..., :{}", half)); // (B, H, T, hd/2)
    NDArray x2 = x.get(new NDIndex("..., {}:", half)); // (B, H, T, hd/2)
    NDArray rotated = NDArrays.concat(new ai.djl.ndarray.NDList(x2.neg(), x1), 3); // (B, H, T, hd)
    return x.mul(cos).add(rotated.mul(sin));
  }
}
