package org.llamapro.train.trainer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This worker's share of the held-out rows (worker r of W takes rows r, r + W, ...), in
 * micro-batches, and the mean validation loss over all workers' shares.
 */
final class ValidationSet {
  private static final Logger LOG = LoggerFactory.getLogger(ValidationSet.class);

  private final List<MicroBatch> batches;

  private ValidationSet(List<MicroBatch> batches) {
    this.batches = batches;
  }

  static ValidationSet of(TrainConfig config, TrainingData data, int rank, int world) {
    if (config.evalRows() == 0) {
      return new ValidationSet(List.of());
    }
    List<TrainingRow> all = data.validationRows(config.evalRows());
    if (all.isEmpty()) {
      LOG.warn("No validation rows in {}: no validation loss", data.description().location());
      return new ValidationSet(List.of());
    }
    List<TrainingRow> mine = new ArrayList<>();
    for (int i = rank; i < all.size(); i += world) {
      mine.add(all.get(i));
    }
    List<MicroBatch> batches = new ArrayList<>();
    for (int i = 0; i < mine.size(); i += config.microBatchSize()) {
      batches.add(
          new MicroBatch(mine.subList(i, Math.min(mine.size(), i + config.microBatchSize()))));
    }
    return new ValidationSet(batches);
  }

  boolean isEmpty() {
    return batches.isEmpty();
  }

  /** Mean validation NLL over all workers' shares (every worker must call it). */
  double loss(Trainer trainer) {
    double[] sums = trainer.evaluate(batches);
    FloatBuffer buffer =
        ByteBuffer.allocateDirect(2 * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    buffer.put((float) sums[0]).put((float) sums[1]).flip();
    trainer.exchange().allReduceMean(buffer);
    return buffer.get(0) / buffer.get(1);
  }
}
