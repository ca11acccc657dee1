package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.llamapro.train.allreduce.AllReduce;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.TensorSource;

/**
 * One worker's optimizer steps on a model whose {@link TrainableSet} learns and whose other weights
 * stay frozen. A step: zero the gradients; forward and backward every micro-batch with layer-wise
 * recomputation (gradients accumulate); average the trainable gradients over the workers; unscale;
 * clip by global norm; AdamW on the F32 masters; refresh the compute copies. A non-finite loss or
 * gradient skips the update (with F16 compute it also lowers the loss scale).
 *
 * <p>The trainer does not own the model; {@link #close()} frees the masters and moments.
 */
public final class Trainer implements AutoCloseable {
  /** Floats per all-reduce call: 64 MiB buffers, well under the 2 GiB a Java buffer can hold. */
  static final int EXCHANGE_BUCKET_FLOATS = 16 << 20;

  private final LlamaModel model;
  private final TrainableSet trainable;
  private final OptimizerSettings settings;
  private final AllReduce exchange;
  private final NDManager stateManager;
  private final List<TrainableParameter> parameters;
  private final AdamW optimizer;
  private final LossScaler scaler;
  private final LayerwiseBackprop backprop;
  private FloatBuffer bucket;

  /**
   * @param masters F32 values of the trainable weights, by Hugging Face name (the checkpoint the
   *     model was loaded from); read only when the model computes in F16
   */
  public Trainer(
      LlamaModel model,
      TrainableSet trainable,
      TensorSource masters,
      OptimizerSettings settings,
      boolean documentMask,
      AllReduce exchange) {
    this.model = requireNonNull(model, "model is null");
    this.trainable = requireNonNull(trainable, "trainable is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.exchange = requireNonNull(exchange, "exchange is null");
    requireNonNull(masters, "masters is null");
    boolean f16 = model.dtype() == DataType.FLOAT16;
    this.stateManager = model.manager().newSubManager();
    try {
      List<TrainableParameter> list = new ArrayList<>();
      for (Map.Entry<String, NDArray> e : model.namedTensors().entrySet()) {
        if (!trainable.contains(e.getKey())) {
          continue;
        }
        NDArray compute = e.getValue();
        NDArray master = compute;
        if (f16) {
          master = stateManager.create(masters.readFloats(e.getKey()), compute.getShape());
        }
        list.add(new TrainableParameter(e.getKey(), compute, master));
      }
      if (list.isEmpty()) {
        throw new IllegalArgumentException(
            "No trainable parameters: " + trainable.describe() + " selects no weight of the model");
      }
      this.parameters = Collections.unmodifiableList(list);
      this.optimizer =
          new AdamW(
              stateManager,
              parameters,
              settings.beta1(),
              settings.beta2(),
              settings.eps(),
              settings.weightDecay());
      this.scaler =
          f16
              ? LossScaler.dynamic(settings.initialLossScale(), settings.lossScaleGrowthInterval())
              : LossScaler.fixed();
      this.backprop = new LayerwiseBackprop(model, trainable, documentMask);
    } catch (RuntimeException e) {
      stateManager.close();
      throw e;
    }
  }

  public LlamaModel model() {
    return model;
  }

  public TrainableSet trainable() {
    return trainable;
  }

  public OptimizerSettings settings() {
    return settings;
  }

  public AllReduce exchange() {
    return exchange;
  }

  /** Number of weights that learn. */
  public long trainableParameterCount() {
    long n = 0;
    for (TrainableParameter p : parameters) {
      n += p.size();
    }
    return n;
  }

  /** Trainable tensor names in model order. */
  public List<String> trainableNames() {
    return parameters.stream().map(p -> p.name).toList();
  }

  /**
   * Runs optimizer step {@code step} (1-based; it picks the learning rate) over this worker's
   * micro-batches.
   */
  public StepResult step(int step, List<MicroBatch> microBatches) {
    if (microBatches.isEmpty()) {
      throw new IllegalArgumentException("A step needs at least one micro-batch");
    }
    double scale = scaler.scale();
    long targets = 0;
    for (MicroBatch batch : microBatches) {
      targets += batch.targets();
    }
    long modelStart = System.nanoTime();
    double nllSum = accumulate(microBatches, scale, targets);
    long modelEnd = System.nanoTime();
    double modelSeconds = (modelEnd - modelStart) / 1e9;
    try (NDManager scratch = model.manager().newSubManager()) {
      List<NDArray> gradients = new ArrayList<>(parameters.size());
      for (TrainableParameter p : parameters) {
        gradients.add(p.gradient(scratch, scale));
      }
      double[] loss = {nllSum, targets};
      if (exchange.worldSize() > 1) {
        gradients = averageOverWorkers(scratch, gradients, loss);
      }
      double squares = 0;
      for (NDArray g : gradients) {
        squares += g.square().sum().getFloat();
      }
      double norm = Math.sqrt(squares);
      // Mixed precision's rule: a non-finite loss or gradient skips the update and lowers the
      // scale; the run stops after train.max-skipped-steps such steps in a row (StepLoop).
      boolean skip = scaler.update(!Double.isFinite(norm) || !Double.isFinite(loss[0] / loss[1]));
      double lr = settings.schedule().at(step);
      if (!skip) {
        double factor = 1.0;
        if (settings.clipNorm() > 0) {
          factor = Math.min(1.0, settings.clipNorm() / (norm + 1e-6));
        }
        optimizer.step(scratch, parameters, gradients, lr, factor);
        for (TrainableParameter p : parameters) {
          p.syncCompute();
        }
      }
      return new StepResult(
          step,
          loss[0] / loss[1],
          lr,
          norm,
          scale,
          skip,
          Math.round(loss[1]),
          modelSeconds,
          (System.nanoTime() - modelEnd) / 1e9);
    }
  }

  /**
   * Zeroes the gradients, then runs forward and backward of every micro-batch; the gradients of
   * {@code lossScale * mean loss over targets} accumulate on the trainable weights. Returns the
   * summed NLL.
   */
  private double accumulate(List<MicroBatch> microBatches, double lossScale, long targets) {
    GradientTape.recordingOffOnThisThread();
    for (TrainableParameter p : parameters) {
      p.zeroGradient();
    }
    double nllSum = 0;
    for (MicroBatch batch : microBatches) {
      try (NDManager micro = model.manager().newSubManager()) {
        nllSum += backprop.run(micro, batch, lossScale / targets).nllSum();
      }
    }
    return nllSum;
  }

  /**
   * Averages the gradients (and the loss sums) over the workers in fixed-size buckets, in the same
   * order on every rank. Returns the averaged gradients as new arrays in {@code scratch}.
   */
  private List<NDArray> averageOverWorkers(
      NDManager scratch, List<NDArray> gradients, double[] loss) {
    List<float[]> host = new ArrayList<>(gradients.size() + 1);
    for (NDArray g : gradients) {
      host.add(g.toFloatArray());
    }
    host.add(new float[] {(float) loss[0], (float) loss[1]});
    long total = 0;
    for (float[] h : host) {
      total += h.length;
    }
    int capacity = (int) Math.min(total, EXCHANGE_BUCKET_FLOATS);
    if (bucket == null || bucket.capacity() < capacity) {
      bucket =
          ByteBuffer.allocateDirect(capacity * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
    }
    // Walk the concatenation of all arrays in bucket-sized windows.
    int array = 0;
    int offset = 0;
    long done = 0;
    while (done < total) {
      int n = (int) Math.min(capacity, total - done);
      bucket.clear();
      int fillArray = array;
      int fillOffset = offset;
      for (int left = n; left > 0; ) {
        float[] h = host.get(fillArray);
        int take = Math.min(left, h.length - fillOffset);
        bucket.put(h, fillOffset, take);
        left -= take;
        fillOffset += take;
        if (fillOffset == h.length) {
          fillArray++;
          fillOffset = 0;
        }
      }
      bucket.flip();
      exchange.allReduceMean(bucket);
      for (int left = n; left > 0; ) {
        float[] h = host.get(array);
        int take = Math.min(left, h.length - offset);
        bucket.get(h, offset, take);
        left -= take;
        offset += take;
        if (offset == h.length) {
          array++;
          offset = 0;
        }
      }
      done += n;
    }
    float[] reducedLoss = host.get(host.size() - 1);
    loss[0] = reducedLoss[0];
    loss[1] = reducedLoss[1];
    List<NDArray> averaged = new ArrayList<>(gradients.size());
    for (int i = 0; i < gradients.size(); i++) {
      Shape shape = gradients.get(i).getShape();
      averaged.add(scratch.create(host.get(i), shape));
    }
    return averaged;
  }

  /**
   * Summed next-token NLL and target count over {@code batches}, forward only (no tape), with the
   * same attention masking as training.
   */
  public double[] evaluate(List<MicroBatch> batches) {
    GradientTape.recordingOffOnThisThread();
    double nll = 0;
    long targets = 0;
    for (MicroBatch batch : batches) {
      try (NDManager micro = model.manager().newSubManager()) {
        LayerwiseBackprop.Loss loss = backprop.evaluate(micro, batch);
        nll += loss.nllSum();
        targets += loss.targets();
      }
    }
    return new double[] {nll, targets};
  }

  // ---- state for checkpoints ----

  /** The F32 master values of the trainable weights, by Hugging Face name. */
  public Map<String, float[]> masterValues() {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (TrainableParameter p : parameters) {
      values.put(p.name, p.master.toFloatArray());
    }
    return values;
  }

  public Map<String, long[]> trainableShapes() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (TrainableParameter p : parameters) {
      shapes.put(p.name, p.master.getShape().getShape());
    }
    return shapes;
  }

  Map<String, float[]> moments(boolean second) {
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, NDArray> source = second ? optimizer.expAvgSq() : optimizer.expAvg();
    for (Map.Entry<String, NDArray> e : source.entrySet()) {
      values.put(e.getKey(), e.getValue().toFloatArray());
    }
    return values;
  }

  long optimizerUpdates() {
    return optimizer.updates();
  }

  double lossScale() {
    return scaler.scale();
  }

  int lossScaleCleanSteps() {
    return scaler.cleanSteps();
  }

  /** Restores the optimizer and loss-scale state (the masters come in with the model). */
  void restore(
      Map<String, float[]> expAvg,
      Map<String, float[]> expAvgSq,
      long updates,
      double lossScale,
      int cleanSteps) {
    optimizer.restore(expAvg, expAvgSq, updates);
    scaler.restore(lossScale, cleanSteps);
  }

  @Override
  public void close() {
    stateManager.close();
  }
}
