package org.llamapro.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * What every block of one forward call shares: the positions [start, start + T), their rotary
 * tables, and the additive causal mask over the S = start + T keys (0 where allowed, -inf where
 * not). Built once per call, in the call's manager.
 */
public final class AttentionContext {
  final int start;
  final int length;
  final NDArray cos; // (T, hd)
  final NDArray sin; // (T, hd)
  final NDArray mask; // (T, S), or (B, 1, T, S) with document boundaries

  private AttentionContext(int start, int length, NDArray cos, NDArray sin, NDArray mask) {
    this.start = start;
    this.length = length;
    this.cos = cos;
    this.sin = sin;
    this.mask = mask;
  }

  /** Causal attention for positions [start, start + length). */
  static AttentionContext causal(
      NDManager manager, LlamaConfig config, int start, int length, DataType dtype) {
    NDArray[] tables =
        RotaryEmbedding.tables(manager, start, length, config.headDim(), config.ropeTheta(), dtype);
    NDArray query = manager.arange(start, start + length).reshape(length, 1); // (T, 1)
    NDArray key = manager.arange(0, start + length).reshape(1, start + length); // (1, S)
    NDArray allowed = key.lte(query); // (T, S) boolean
    NDArray mask = additive(manager, allowed, dtype);
    return new AttentionContext(start, length, tables[0], tables[1], mask);
  }

  /**
   * Causal attention that also stops at document boundaries: {@code documentIds} (B, T) numbers the
   * document of every position; a query attends only keys of its own document.
   */
  static AttentionContext causalWithinDocuments(
      NDManager manager, LlamaConfig config, NDArray documentIds, DataType dtype) {
    int length = (int) documentIds.getShape().get(1);
    NDArray[] tables =
        RotaryEmbedding.tables(manager, 0, length, config.headDim(), config.ropeTheta(), dtype);
    NDArray query = manager.arange(0, length).reshape(length, 1); // (T, 1)
    NDArray key = manager.arange(0, length).reshape(1, length); // (1, T)
    NDArray causal = key.lte(query); // (T, T)
    NDArray sameDocument = documentIds.expandDims(2).eq(documentIds.expandDims(1)); // (B, T, T)
    NDArray allowed = sameDocument.logicalAnd(causal).expandDims(1); // (B, 1, T, T)
    return new AttentionContext(0, length, tables[0], tables[1], additive(manager, allowed, dtype));
  }

  private static NDArray additive(NDManager manager, NDArray allowed, DataType dtype) {
    // DJL's where does not broadcast: both branches take the mask's full shape.
    NDArray zero = manager.zeros(allowed.getShape(), dtype);
    NDArray negativeInfinity = manager.full(allowed.getShape(), Float.NEGATIVE_INFINITY, dtype);
    return NDArrays.where(allowed, zero, negativeInfinity);
  }
}
