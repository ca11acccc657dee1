package org.llamapro.tools.corpus;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.llamapro.io.AtomicFiles;

/**
 * Makes a Parquet file's footer canonical. parquet-mr lists each column chunk's encodings from a
 * HashSet of enum constants, whose order follows identity hash codes and so changes from one JVM to
 * the next; sorting the lists makes the same rows give the same bytes. Data pages do not move.
 */
final class ParquetFooters {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private ParquetFooters() {}

  static void sortEncodings(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int n = bytes.length;
    if (n < 12 || !endsWithMagic(bytes)) {
      throw new IOException("Not a Parquet file (no PAR1 at its end): " + file);
    }
    int footerLength = ByteBuffer.wrap(bytes, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int footerStart = n - 8 - footerLength;
    if (footerLength <= 0 || footerStart < 4) {
      throw new IOException("Invalid Parquet footer length " + footerLength + " in " + file);
    }
    FileMetaData meta =
        Util.readFileMetaData(new ByteArrayInputStream(bytes, footerStart, footerLength));
    for (RowGroup group : meta.getRow_groups()) {
      for (ColumnChunk chunk : group.getColumns()) {
        ColumnMetaData column = chunk.getMeta_data();
        List<Encoding> encodings = new ArrayList<>(column.getEncodings());
        encodings.sort(Comparator.comparingInt(Encoding::getValue));
        column.setEncodings(encodings);
      }
    }
    ByteArrayOutputStream footer = new ByteArrayOutputStream();
    Util.writeFileMetaData(meta, footer);
    ByteArrayOutputStream out = new ByteArrayOutputStream(n);
    out.write(bytes, 0, footerStart);
    footer.writeTo(out);
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.size()).array());
    out.write(MAGIC);
    AtomicFiles.writeBytes(file, out.toByteArray());
  }

  private static boolean endsWithMagic(byte[] bytes) {
    for (int i = 0; i < 4; i++) {
      if (bytes[bytes.length - 4 + i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }
}
