package org.llamapro.train.model;

/** Hugging Face tensor names of the LLaMA family ({@code LlamaForCausalLM} and kin). */
public final class TensorNames {
  public static final String EMBED = "model.embed_tokens.weight";
  public static final String FINAL_NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";
  public static final String LAYER_PREFIX = "model.layers.";

  private TensorNames() {}

  /** {@code model.layers.<layer>.<suffix>}, e.g. {@code model.layers.3.mlp.down_proj.weight}. */
  public static String layer(int layer, String suffix) {
    return LAYER_PREFIX + layer + "." + suffix;
  }

  /** The block index of a {@code model.layers.<i>.*} name, or -1 for other tensors. */
  public static int layerOf(String name) {
    if (!name.startsWith(LAYER_PREFIX)) {
      return -1;
    }
    int end = name.indexOf('.', LAYER_PREFIX.length());
    if (end < 0) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(LAYER_PREFIX.length(), end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The part after {@code model.layers.<i>.}; only valid when {@link #layerOf} is not -1. */
  public static String suffixOf(String name) {
    int end = name.indexOf('.', LAYER_PREFIX.length());
    return name.substring(end + 1);
  }

  // Block tensor suffixes.
  public static final String INPUT_NORM = "input_layernorm.weight";
  public static final String Q_PROJ = "self_attn.q_proj";
  public static final String K_PROJ = "self_attn.k_proj";
  public static final String V_PROJ = "self_attn.v_proj";
  public static final String O_PROJ = "self_attn.o_proj";
  public static final String POST_NORM = "post_attention_layernorm.weight";
  public static final String GATE_PROJ = "mlp.gate_proj";
  public static final String UP_PROJ = "mlp.up_proj";
  public static final String DOWN_PROJ = "mlp.down_proj";
}
