package org.llamapro.train.model;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One decoder block's weights, in Hugging Face layout ({@code (out, in)}: y = x W^T + b). D is
 * hidden size, Hq/Hkv the query/key-value heads, hd the head dim, F the MLP width. Biases are null
 * when the architecture has none.
 */
public record BlockWeights(
    NDArray inputNorm, // (D)
    NDArray qWeight, // (Hq*hd, D)
    NDArray qBias, // (Hq*hd) or null
    NDArray kWeight, // (Hkv*hd, D)
    NDArray kBias, // (Hkv*hd) or null
    NDArray vWeight, // (Hkv*hd, D)
    NDArray vBias, // (Hkv*hd) or null
    NDArray oWeight, // (D, Hq*hd)
    NDArray oBias, // (D) or null
    NDArray postNorm, // (D)
    NDArray gateWeight, // (F, D)
    NDArray gateBias, // (F) or null
    NDArray upWeight, // (F, D)
    NDArray upBias, // (F) or null
    NDArray downWeight, // (D, F)
    NDArray downBias // (D) or null
    ) {

  /** Every tensor of the block by its suffix after {@code model.layers.<i>.}, in a stable order. */
  public Map<String, NDArray> bySuffix() {
    Map<String, NDArray> map = new LinkedHashMap<>();
    map.put(TensorNames.INPUT_NORM, inputNorm);
    put(map, TensorNames.Q_PROJ, qWeight, qBias);
    put(map, TensorNames.K_PROJ, kWeight, kBias);
    put(map, TensorNames.V_PROJ, vWeight, vBias);
    put(map, TensorNames.O_PROJ, oWeight, oBias);
    map.put(TensorNames.POST_NORM, postNorm);
    put(map, TensorNames.GATE_PROJ, gateWeight, gateBias);
    put(map, TensorNames.UP_PROJ, upWeight, upBias);
    put(map, TensorNames.DOWN_PROJ, downWeight, downBias);
    return map;
  }

  private static void put(Map<String, NDArray> map, String projection, NDArray w, NDArray b) {
    map.put(projection + ".weight", w);
    if (b != null) {
      map.put(projection + ".bias", b);
    }
  }
}
