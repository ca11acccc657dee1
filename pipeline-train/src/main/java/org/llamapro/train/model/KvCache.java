package org.llamapro.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every block for the positions seen so far, for incremental decoding. Stored
 * before the grouped-query repeat: (B, Hkv, S, hd) per block. Owns its native memory.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  public KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Positions already cached: the next forward call starts here. */
  public int length() {
    return length;
  }

  /** Appends this call's k, v (B, Hkv, T, hd) and returns all of them (B, Hkv, S, hd). */
  NDArray[] append(int layer, NDArray k, NDArray v) {
    NDArray allKeys = keys[layer] == null ? k.duplicate() : keys[layer].concat(k, 2);
    NDArray allValues = values[layer] == null ? v.duplicate() : values[layer].concat(v, 2);
    allKeys.attach(manager);
    allValues.attach(manager);
    if (keys[layer] != null) {
      keys[layer].close();
      values[layer].close();
    }
    keys[layer] = allKeys;
    values[layer] = allValues;
    return new NDArray[] {allKeys, allValues};
  }

  /** Called once per forward call, after the last block: the cache now covers {@code newLength}. */
  void advanceTo(int newLength) {
    this.length = newLength;
  }

  @Override
  public void close() {
    manager.close();
  }
}
