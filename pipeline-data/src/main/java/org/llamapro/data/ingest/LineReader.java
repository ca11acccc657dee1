package org.llamapro.data.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads {@code \n}-terminated lines as bytes (a trailing {@code \r} is dropped), so that UTF-8 is
 * validated per line rather than replaced by a decoding reader. A line longer than the limit is
 * skipped to its end and reported as {@link #overflowed()}, keeping memory bounded.
 */
final class LineReader implements Closeable {
  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;
  private byte[] line = new byte[4096];
  private int lineLength;
  private long fullLength;
  private long lineNumber;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** Advances to the next line; false at the end of the input. */
  boolean next() throws IOException {
    lineLength = 0;
    fullLength = 0;
    boolean sawByte = false;
    while (true) {
      if (position == limit) {
        int read = in.read(buffer);
        if (read < 0) {
          if (!sawByte) {
            return false;
          }
          break;
        }
        position = 0;
        limit = read;
        continue;
      }
      sawByte = true;
      int newline = indexOfNewline(position, limit);
      int end = newline < 0 ? limit : newline;
      append(position, end - position);
      position = newline < 0 ? limit : newline + 1;
      if (newline >= 0) {
        break;
      }
    }
    lineNumber++;
    if (!overflowed() && lineLength > 0 && line[lineLength - 1] == '\r') {
      lineLength--;
    }
    return true;
  }

  /** The current line's bytes are {@code bytes()[0, length())}. */
  byte[] bytes() {
    return line;
  }

  int length() {
    return lineLength;
  }

  /** The current line was longer than the limit; its bytes were not kept. */
  boolean overflowed() {
    return fullLength > maxLineBytes;
  }

  long fullLength() {
    return fullLength;
  }

  /** 1-based number of the current line; after an I/O error, the number of complete lines read. */
  long lineNumber() {
    return lineNumber;
  }

  private int indexOfNewline(int from, int to) {
    for (int i = from; i < to; i++) {
      if (buffer[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void append(int from, int count) {
    fullLength += count;
    if (fullLength > maxLineBytes) {
      lineLength = 0;
      return;
    }
    if (lineLength + count > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
    }
    System.arraycopy(buffer, from, line, lineLength, count);
    lineLength += count;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
