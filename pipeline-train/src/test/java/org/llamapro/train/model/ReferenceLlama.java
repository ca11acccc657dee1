package org.llamapro.train.model;

/**
 * An independent LLaMA forward in plain Java and double precision, written from the transformers
 * definition without DJL, to check {@link LlamaModel} against. Slow; tiny models only.
 */
public final class ReferenceLlama {
  private final LlamaConfig c;
  private final TensorSource w;

  public ReferenceLlama(LlamaConfig config, TensorSource weights) {
    this.c = config;
    this.w = weights;
  }

  /** Logits [T][V] for one sequence. */
  public double[][] logits(int[] ids) {
    int t = ids.length;
    int d = c.hiddenSize();
    double[][] x = new double[t][];
    float[] embed = w.readFloats(TensorNames.EMBED);
    for (int i = 0; i < t; i++) {
      x[i] = new double[d];
      for (int j = 0; j < d; j++) {
        x[i][j] = embed[ids[i] * d + j];
      }
    }
    for (int layer = 0; layer < c.numHiddenLayers(); layer++) {
      x = block(layer, x);
    }
    float[] norm = w.readFloats(TensorNames.FINAL_NORM);
    String head = c.tieWordEmbeddings() ? TensorNames.EMBED : TensorNames.LM_HEAD;
    float[] lmHead = w.readFloats(head);
    double[][] out = new double[t][];
    for (int i = 0; i < t; i++) {
      out[i] = matVec(lmHead, null, rmsNorm(x[i], norm), c.vocabSize(), d);
    }
    return out;
  }

  private double[][] block(int layer, double[][] x) {
    int t = x.length;
    int d = c.hiddenSize();
    int hq = c.numAttentionHeads();
    int hkv = c.numKeyValueHeads();
    int hd = c.headDim();
    double[][] q = new double[t][];
    double[][] k = new double[t][];
    double[][] v = new double[t][];
    float[] inNorm = w.readFloats(TensorNames.layer(layer, TensorNames.INPUT_NORM));
    for (int i = 0; i < t; i++) {
      double[] h = rmsNorm(x[i], inNorm);
      q[i] = project(layer, TensorNames.Q_PROJ, h, hq * hd, d);
      k[i] = project(layer, TensorNames.K_PROJ, h, hkv * hd, d);
      v[i] = project(layer, TensorNames.V_PROJ, h, hkv * hd, d);
      rope(q[i], hq, i);
      rope(k[i], hkv, i);
    }
    double[][] out = new double[t][];
    for (int i = 0; i < t; i++) {
      double[] merged = new double[hq * hd];
      for (int head = 0; head < hq; head++) {
        int kvHead = head / (hq / hkv);
        double[] scores = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
          double s = 0;
          for (int e = 0; e < hd; e++) {
            s += q[i][head * hd + e] * k[j][kvHead * hd + e];
          }
          scores[j] = s / Math.sqrt(hd);
          max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = 0; j <= i; j++) {
          scores[j] = Math.exp(scores[j] - max);
          sum += scores[j];
        }
        for (int j = 0; j <= i; j++) {
          for (int e = 0; e < hd; e++) {
            merged[head * hd + e] += scores[j] / sum * v[j][kvHead * hd + e];
          }
        }
      }
      double[] attention = project(layer, TensorNames.O_PROJ, merged, d, hq * hd);
      double[] residual = new double[d];
      for (int j = 0; j < d; j++) {
        residual[j] = x[i][j] + attention[j];
      }
      double[] h = rmsNorm(residual, w.readFloats(TensorNames.layer(layer, TensorNames.POST_NORM)));
      int f = c.intermediateSize();
      double[] gate = project(layer, TensorNames.GATE_PROJ, h, f, d);
      double[] up = project(layer, TensorNames.UP_PROJ, h, f, d);
      double[] act = new double[f];
      for (int j = 0; j < f; j++) {
        act[j] = gate[j] / (1 + Math.exp(-gate[j])) * up[j];
      }
      double[] down = project(layer, TensorNames.DOWN_PROJ, act, d, f);
      out[i] = new double[d];
      for (int j = 0; j < d; j++) {
        out[i][j] = residual[j] + down[j];
      }
    }
    return out;
  }

  private double[] project(int layer, String projection, double[] in, int rows, int cols) {
    String bias = TensorNames.layer(layer, projection + ".bias");
    return matVec(
        w.readFloats(TensorNames.layer(layer, projection + ".weight")),
        w.contains(bias) ? w.readFloats(bias) : null,
        in,
        rows,
        cols);
  }

  private void rope(double[] vector, int heads, int position) {
    int hd = c.headDim();
    int half = hd / 2;
    for (int head = 0; head < heads; head++) {
      int base = head * hd;
      for (int i = 0; i < half; i++) {
        double freq = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / hd);
        double angle = position * freq;
        double a = vector[base + i];
        double b = vector[base + half + i];
        vector[base + i] = a * Math.cos(angle) - b * Math.sin(angle);
        vector[base + half + i] = b * Math.cos(angle) + a * Math.sin(angle);
      }
    }
  }

  private double[] rmsNorm(double[] x, float[] weight) {
    double sumSquares = 0;
    for (double value : x) {
      sumSquares += value * value;
    }
    double scale = 1.0 / Math.sqrt(sumSquares / x.length + c.rmsNormEps());
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = weight[i] * x[i] * scale;
    }
    return out;
  }

  private static double[] matVec(float[] m, float[] bias, double[] in, int rows, int cols) {
    double[] out = new double[rows];
    for (int r = 0; r < rows; r++) {
      double s = bias == null ? 0 : bias[r];
      for (int j = 0; j < cols; j++) {
        s += m[r * cols + j] * in[j];
      }
      out[r] = s;
    }
    return out;
  }
}
