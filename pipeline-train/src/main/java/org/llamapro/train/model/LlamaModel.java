package org.llamapro.train.model;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LLaMA decoder (LlamaForCausalLM) in DJL, computing what transformers computes:
 *
 * <pre>
 *   x = embed(ids)
 *   for each block:  x = x + attention(rmsnorm(x))     (RoPE, grouped-query, causal)
 *                    x = x + mlp(rmsnorm(x))           (SwiGLU)
 *   logits = lm_head(rmsnorm(x))
 * </pre>
 *
 * Shapes use B batch, T new positions, S all positions (cache included), D hidden size, Hq/Hkv
 * query/key-value heads, hd head dim, F MLP width, V vocabulary. All weights live in this model's
 * manager; {@link #close()} frees them. Each forward call's intermediates belong to the manager of
 * its input ids, which the caller closes.
 */
public final class LlamaModel implements AutoCloseable {
  private final LlamaConfig config;
  private final NDManager manager;
  private final DataType dtype;
  private final NDArray embedding; // (V, D)
  private final List<BlockWeights> blocks;
  private final NDArray finalNorm; // (D)
  private final NDArray lmHead; // (V, D); the embedding itself when tied

  private LlamaModel(
      LlamaConfig config,
      NDManager manager,
      DataType dtype,
      NDArray embedding,
      List<BlockWeights> blocks,
      NDArray finalNorm,
      NDArray lmHead) {
    this.config = config;
    this.manager = manager;
    this.dtype = dtype;
    this.embedding = embedding;
    this.blocks = List.copyOf(blocks);
    this.finalNorm = finalNorm;
    this.lmHead = lmHead;
  }

  /**
   * Loads every tensor by its Hugging Face name, checking its shape against the config. {@code
   * dtype} is the compute type: F32 on CPU, F16 on GPU.
   */
  public static LlamaModel load(
      LlamaConfig config, TensorSource source, Device device, DataType dtype) {
    requireNonNull(config, "config is null");
    requireNonNull(source, "source is null");
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
      throw new IllegalArgumentException("Unsupported compute dtype: " + dtype + " (F32 or F16)");
    }
    NDManager manager = NDManager.newBaseManager(device);
    try {
      ModelLayout.check(config, source);
      Map<String, NDArray> loaded = new LinkedHashMap<>();
      for (Map.Entry<String, long[]> tensor : ModelLayout.shapes(config).entrySet()) {
        loaded.put(
            tensor.getKey(), load(source, tensor.getKey(), tensor.getValue(), manager, dtype));
      }
      NDArray embedding = loaded.get(TensorNames.EMBED);
      List<BlockWeights> blocks = new ArrayList<>();
      for (int i = 0; i < config.numHiddenLayers(); i++) {
        String prefix = TensorNames.layer(i, "");
        blocks.add(
            new BlockWeights(
                loaded.get(prefix + TensorNames.INPUT_NORM),
                loaded.get(prefix + TensorNames.Q_PROJ + ".weight"),
                loaded.get(prefix + TensorNames.Q_PROJ + ".bias"),
                loaded.get(prefix + TensorNames.K_PROJ + ".weight"),
                loaded.get(prefix + TensorNames.K_PROJ + ".bias"),
                loaded.get(prefix + TensorNames.V_PROJ + ".weight"),
                loaded.get(prefix + TensorNames.V_PROJ + ".bias"),
                loaded.get(prefix + TensorNames.O_PROJ + ".weight"),
                loaded.get(prefix + TensorNames.O_PROJ + ".bias"),
                loaded.get(prefix + TensorNames.POST_NORM),
                loaded.get(prefix + TensorNames.GATE_PROJ + ".weight"),
                loaded.get(prefix + TensorNames.GATE_PROJ + ".bias"),
                loaded.get(prefix + TensorNames.UP_PROJ + ".weight"),
                loaded.get(prefix + TensorNames.UP_PROJ + ".bias"),
                loaded.get(prefix + TensorNames.DOWN_PROJ + ".weight"),
                loaded.get(prefix + TensorNames.DOWN_PROJ + ".bias")));
      }
      NDArray finalNorm = loaded.get(TensorNames.FINAL_NORM);
      NDArray lmHead = config.tieWordEmbeddings() ? embedding : loaded.get(TensorNames.LM_HEAD);
      return new LlamaModel(config, manager, dtype, embedding, blocks, finalNorm, lmHead);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public LlamaConfig config() {
    return config;
  }

  public DataType dtype() {
    return dtype;
  }

  public Device device() {
    return manager.getDevice();
  }

  public NDManager manager() {
    return manager;
  }

  public BlockWeights block(int layer) {
    return blocks.get(layer);
  }

  /** Every weight by its Hugging Face name (the tied lm_head is not listed twice). */
  public Map<String, NDArray> namedTensors() {
    Map<String, NDArray> map = new LinkedHashMap<>();
    map.put(TensorNames.EMBED, embedding);
    for (int i = 0; i < blocks.size(); i++) {
      for (Map.Entry<String, NDArray> e : blocks.get(i).bySuffix().entrySet()) {
        map.put(TensorNames.layer(i, e.getKey()), e.getValue());
      }
    }
    map.put(TensorNames.FINAL_NORM, finalNorm);
    if (!config.tieWordEmbeddings()) {
      map.put(TensorNames.LM_HEAD, lmHead);
    }
    return map;
  }

  /** The shared per-call state for positions [start, start + length) in {@code callManager}. */
  public AttentionContext causalContext(NDManager callManager, int start, int length) {
    return AttentionContext.causal(callManager, config, start, length, dtype);
  }

  /** As {@link #causalContext}, but a position attends only within its own document. */
  public AttentionContext documentContext(NDManager callManager, NDArray documentIds) {
    return AttentionContext.causalWithinDocuments(callManager, config, documentIds, dtype);
  }

  /**
   * Logits for every position of {@code ids} (B, T) -> (B, T, V). With a cache, the ids continue
   * the cached positions and the cache is extended; without, the sequence starts at position 0.
   */
  public NDArray forward(NDArray ids, KvCache cache) {
    NDManager callManager = ids.getManager();
    int start = cache == null ? 0 : cache.length();
    int length = (int) ids.getShape().get(1);
    AttentionContext context = causalContext(callManager, start, length);
    NDArray x = embed(ids); // (B, T, D)
    for (int layer = 0; layer < blocks.size(); layer++) {
      x = block(layer, x, context, cache); // (B, T, D)
    }
    if (cache != null) {
      cache.advanceTo(start + length);
    }
    return head(x); // (B, T, V)
  }

  /** ids (B, T) int -> x (B, T, D). */
  public NDArray embed(NDArray ids) {
    return Embedding.embedding(ids, embedding, SparseFormat.DENSE).singletonOrThrow();
  }

  /** One decoder block: x (B, T, D) -> (B, T, D). */
  public NDArray block(int layer, NDArray x, AttentionContext context, KvCache cache) {
    BlockWeights w = blocks.get(layer);
    Shape shape = x.getShape();
    long batch = shape.get(0);
    long length = shape.get(1);
    int heads = config.numAttentionHeads();
    int kvHeads = config.numKeyValueHeads();
    int headDim = config.headDim();

    // Attention: pre-norm, project, rotate, attend causally, project back, add the residual.
    NDArray h = RmsNorm.apply(x, w.inputNorm(), config.rmsNormEps()); // (B, T, D)
    NDArray q =
        heads(linear(h, w.qWeight(), w.qBias()), batch, length, heads, headDim); // (B, Hq, T, hd)
    NDArray k =
        heads(
            linear(h, w.kWeight(), w.kBias()), batch, length, kvHeads, headDim); // (B, Hkv, T, hd)
    NDArray v =
        heads(
            linear(h, w.vWeight(), w.vBias()), batch, length, kvHeads, headDim); // (B, Hkv, T, hd)
    q = RotaryEmbedding.apply(q, context.cos, context.sin); // (B, Hq, T, hd)
    k = RotaryEmbedding.apply(k, context.cos, context.sin); // (B, Hkv, T, hd)
    if (cache != null) {
      NDArray[] all = cache.append(layer, k, v);
      k = all[0]; // (B, Hkv, S, hd)
      v = all[1]; // (B, Hkv, S, hd)
    }
    if (config.groupSize() > 1) {
      k = k.repeat(1, config.groupSize()); // (B, Hq, S, hd): each kv head serves groupSize queries
      v = v.repeat(1, config.groupSize()); // (B, Hq, S, hd)
    }
    NDArray scores =
        q.matMul(k.transpose(0, 1, 3, 2)).mul((float) (1.0 / Math.sqrt(headDim))); // (B, Hq, T, S)
    NDArray probs = scores.add(context.mask).softmax(3); // (B, Hq, T, S)
    NDArray attended = probs.matMul(v); // (B, Hq, T, hd)
    NDArray merged =
        attended
            .transpose(0, 2, 1, 3)
            .reshape(batch, length, (long) heads * headDim); // (B, T, Hq*hd)
    x = x.add(linear(merged, w.oWeight(), w.oBias())); // (B, T, D)

    // MLP: pre-norm, SwiGLU, add the residual.
    h = RmsNorm.apply(x, w.postNorm(), config.rmsNormEps()); // (B, T, D)
    NDArray gate = linear(h, w.gateWeight(), w.gateBias()); // (B, T, F)
    NDArray up = linear(h, w.upWeight(), w.upBias()); // (B, T, F)
    NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(up); // (B, T, F): silu(gate) * up
    return x.add(linear(activated, w.downWeight(), w.downBias())); // (B, T, D)
  }

  /** Final norm and language-model head: x (B, T, D) -> logits (B, T, V). */
  public NDArray head(NDArray x) {
    NDArray h = RmsNorm.apply(x, finalNorm, config.rmsNormEps()); // (B, T, D)
    return linear(h, lmHead, null); // (B, T, V)
  }

  private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    NDList out = bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias);
    return out.singletonOrThrow();
  }

  /** (B, T, H*hd) -> (B, H, T, hd). */
  private static NDArray heads(NDArray x, long batch, long length, int heads, int headDim) {
    return x.reshape(batch, length, heads, headDim).transpose(0, 2, 1, 3);
  }

  @Override
  public void close() {
    manager.close();
  }

  /** One tensor from {@code source} into {@code manager}, in the compute dtype. */
  private static NDArray load(
      TensorSource source, String name, long[] shape, NDManager manager, DataType dtype) {
    NDArray array = manager.create(source.readFloats(name), new Shape(shape));
    if (dtype != DataType.FLOAT32) {
      NDArray converted = array.toType(dtype, false);
      array.close();
      array = converted;
    }
    array.setName(name);
    return array;
  }
}
