package org.llamapro.train.expand;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs bytes and tensors written every few seconds while a model is expanded. */
final class ExpandProgress {
  private static final Logger LOG = LoggerFactory.getLogger(BlockExpander.class);
  private static final long LOG_EVERY_NANOS = 5_000_000_000L;

  private final long totalBytes;
  private final long started = System.nanoTime();
  private long bytes;
  private int tensors;
  private long lastLog = started;

  ExpandProgress(long totalBytes) {
    this.totalBytes = totalBytes;
  }

  /** Counts one tensor's bytes and returns them unchanged (wraps a tensor source). */
  ByteBuffer count(ByteBuffer buffer) {
    bytes += buffer.remaining();
    tensors++;
    long now = System.nanoTime();
    if (now - lastLog > LOG_EVERY_NANOS) {
      lastLog = now;
      LOG.info(
          "expand: {} / {} ({}%), {} tensors, {} MB/s",
          human(bytes),
          human(totalBytes),
          totalBytes == 0 ? 100 : bytes * 100 / totalBytes,
          tensors,
          String.format(Locale.ROOT, "%.0f", bytes / 1e6 / ((now - started) / 1e9)));
    }
    return buffer;
  }

  static String human(long bytes) {
    if (bytes >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
