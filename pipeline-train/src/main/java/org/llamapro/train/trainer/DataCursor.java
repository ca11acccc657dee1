package org.llamapro.train.trainer;

/**
 * Where a worker's row stream stands: the epoch and the rows this worker has taken in it. Every
 * worker of a run is at the same cursor after each step (they take the same number of rows), so one
 * cursor in a checkpoint resumes them all.
 */
public record DataCursor(long epoch, long step) {
  public static final DataCursor START = new DataCursor(0, 0);

  public DataCursor {
    if (epoch < 0 || step < 0) {
      throw new IllegalArgumentException("Invalid data cursor: epoch " + epoch + ", step " + step);
    }
  }
}
