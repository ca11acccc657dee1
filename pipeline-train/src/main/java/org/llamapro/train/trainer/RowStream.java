package org.llamapro.train.trainer;

/** One worker's endless stream of training rows; epochs follow one another. */
public interface RowStream extends AutoCloseable {
  TrainingRow next();

  /** The position after the last row returned. */
  DataCursor cursor();

  @Override
  void close();
}
