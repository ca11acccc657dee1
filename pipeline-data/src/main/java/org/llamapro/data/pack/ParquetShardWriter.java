package org.llamapro.data.pack;

import static org.apache.parquet.schema.LogicalTypeAnnotation.listType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.llamapro.shards.ShardRow;

/**
 * Writes {@link ShardRow}s to one zstd Parquet file through parquet-mr's column writers, the
 * writing twin of {@link ParquetShardFile}. The file is what Spark writes for a Delta table of
 * {@link ShardSchema#TABLE}: the same Parquet schema (3-level lists, every field optional) and the
 * Spark schema in the footer.
 *
 * <p>Why not Spark's writer: it goes through parquet-mr's record consumer, which starts a group and
 * looks up a null cache for every list element; with 4096 ids per row that made writing the largest
 * cost of packing after the tokenizer (BENCHMARKS.md). Here a token is one {@code write(value,
 * repetition, definition)} call.
 */
public final class ParquetShardWriter implements AutoCloseable {
  /** Footer key under which Spark keeps a file's Spark schema. */
  static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";

  /** {@link ShardSchema#TABLE} as Parquet, in Spark's conversion. */
  public static final MessageType SCHEMA =
      Types.buildMessage()
          .addField(Types.optional(BINARY).as(stringType()).named(ShardSchema.SPLIT))
          .addField(Types.optional(INT32).named(ShardSchema.UNIT))
          .addField(Types.optional(INT64).named(ShardSchema.ROW))
          .addField(list(ShardSchema.INPUT_IDS, INT32))
          .addField(Types.optional(INT32).named(ShardSchema.NUM_TOKENS))
          .addField(list(ShardSchema.DOC_STARTS, INT32))
          .addField(list(ShardSchema.DOC_SOURCES, BINARY))
          .addField(list(ShardSchema.DOC_IDS, BINARY))
          .addField(Types.optional(BOOLEAN).named(ShardSchema.FIRST_CONTINUES))
          .named("spark_schema");

  private static final String TOKENS_PATH = ShardSchema.INPUT_IDS + ".list.element";

  /** Every column but input_ids: these go through parquet-mr's column writers. */
  private static final MessageType SMALL_COLUMNS =
      new MessageType(
          SCHEMA.getName(),
          SCHEMA.getFields().stream()
              .filter(field -> !field.getName().equals(ShardSchema.INPUT_IDS))
              .toList());

  // Levels of a value inside an optional list of optional elements: present list (1), an entry
  // (2), a non-null element (3); repetition 0 starts a row's list, 1 continues it.
  private static final int TOP_VALUE = 1;
  private static final int EMPTY_LIST = 1;
  private static final int ELEMENT = 3;

  private final ParquetFileWriter file;
  private final CodecFactory codecs;
  private final BytesInputCompressor compressor;
  private final ParquetProperties properties;
  private final long rowGroupBytes;
  private final String path;
  private ColumnChunkPageWriteStore pages;
  private ColumnWriteStore columns;
  private ColumnWriter[] writers;
  private TokenPages tokens;
  private long rowsInGroup;
  private long rows;
  private boolean closed;

  /**
   * Creates (or replaces) {@code path}. Row groups are cut when the buffered columns reach {@code
   * rowGroupBytes}; {@code input_ids} is stored PLAIN (smaller than dictionary ids under zstd and
   * cheaper to write: BENCHMARKS.md), the other columns keep Parquet's defaults.
   */
  public ParquetShardWriter(Configuration conf, String path, long rowGroupBytes)
      throws IOException {
    if (rowGroupBytes <= 0) {
      throw new IllegalArgumentException("rowGroupBytes must be > 0, got " + rowGroupBytes);
    }
    this.path = path;
    this.rowGroupBytes = rowGroupBytes;
    this.properties =
        ParquetProperties.builder().withDictionaryEncoding(TOKENS_PATH, false).build();
    this.codecs = new CodecFactory(conf, properties.getPageSizeThreshold());
    this.compressor = codecs.getCompressor(CompressionCodecName.ZSTD);
    this.file =
        new ParquetFileWriter(
            HadoopOutputFile.fromPath(new Path(path), conf),
            SCHEMA,
            ParquetFileWriter.Mode.OVERWRITE,
            rowGroupBytes,
            ParquetWriter.MAX_PADDING_SIZE_DEFAULT,
            null,
            properties);
    file.start();
    startRowGroup();
  }

  /** Appends one row. */
  public void write(ShardRow row) throws IOException {
    if (closed) {
      throw new IllegalStateException("Shard writer for " + path + " is closed");
    }
    writers[0].write(Binary.fromString(row.split()), 0, TOP_VALUE);
    writers[1].write(row.unit(), 0, TOP_VALUE);
    writers[2].write(row.row(), 0, TOP_VALUE);
    tokens.add(row.inputIds());
    writers[3].write(row.numTokens(), 0, TOP_VALUE);
    writeInts(writers[4], row.docStarts());
    writeStrings(writers[5], row.docSources());
    writeStrings(writers[6], row.docIds());
    writers[7].write(row.firstContinues(), 0, TOP_VALUE);
    columns.endRecord();
    rowsInGroup++;
    rows++;
    if (columns.getBufferedSize() + tokens.bufferedBytes() >= rowGroupBytes) {
      flushRowGroup();
      startRowGroup();
    }
  }

  /** Rows written so far. */
  public long rows() {
    return rows;
  }

  /** Finishes the file: the last row group and the footer. */
  public void finish() throws IOException {
    if (closed) {
      throw new IllegalStateException("Shard writer for " + path + " is closed");
    }
    flushRowGroup();
    file.end(Map.of(SPARK_SCHEMA_KEY, ShardSchema.TABLE.json()));
    closed = true;
    codecs.release();
  }

  /** Releases the file without a footer (a failed write: the caller deletes or ignores it). */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      try {
        columns.close();
        pages.close();
        file.close();
      } finally {
        codecs.release();
      }
    }
  }

  private void startRowGroup() {
    pages =
        new ColumnChunkPageWriteStore(
            compressor,
            SCHEMA,
            properties.getAllocator(),
            properties.getColumnIndexTruncateLength(),
            properties.getPageWriteChecksumEnabled());
    columns = properties.newColumnWriteStore(SMALL_COLUMNS, pages, pages);
    List<ColumnDescriptor> small = SMALL_COLUMNS.getColumns();
    writers = new ColumnWriter[small.size()];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = columns.getColumnWriter(small.get(i));
    }
    ColumnDescriptor tokenColumn = SCHEMA.getColumnDescription(TOKENS_PATH.split("\\."));
    tokens = new TokenPages(tokenColumn, pages.getPageWriter(tokenColumn), properties);
    rowsInGroup = 0;
  }

  private void flushRowGroup() throws IOException {
    if (rowsInGroup > 0) {
      tokens.flushPage();
      file.startBlock(rowsInGroup);
      columns.flush();
      pages.flushToFileWriter(file);
      file.endBlock();
    }
    columns.close();
    pages.close();
    rowsInGroup = 0;
  }

  private static void writeInts(ColumnWriter writer, int[] values) {
    if (values.length == 0) {
      writer.writeNull(0, EMPTY_LIST);
      return;
    }
    writer.write(values[0], 0, ELEMENT);
    for (int i = 1; i < values.length; i++) {
      writer.write(values[i], 1, ELEMENT);
    }
  }

  private static void writeStrings(ColumnWriter writer, List<String> values) {
    if (values.isEmpty()) {
      writer.writeNull(0, EMPTY_LIST);
      return;
    }
    for (int i = 0; i < values.size(); i++) {
      writer.write(Binary.fromString(values.get(i)), i == 0 ? 0 : 1, ELEMENT);
    }
  }

  private static Type list(String name, PrimitiveTypeName element) {
    Types.PrimitiveBuilder<PrimitiveType> value = Types.optional(element);
    if (element == BINARY) {
      value = value.as(stringType());
    }
    return Types.optionalGroup()
        .as(listType())
        .addField(Types.repeatedGroup().addField(value.named("element")).named("list"))
        .named(name);
  }

  /**
   * The input_ids column, a v1 data page at a time: repetition and definition levels, then the ids
   * PLAIN as little-endian int32. Every row repeats the same level pattern (one list of non-null
   * ids), so the levels are kept as runs and written in Parquet's RLE form (4-byte length, then run
   * headers), instead of being fed to an encoder one value at a time. Pages hold whole rows and are
   * cut as parquet-mr's writers cut them: at the page size, checked no more often than every 100
   * rows (so 100 rows of 4096 ids, 1.6 MB, make a page; zstd gets that much context).
   */
  private static final class TokenPages {
    private static final VarHandle INT_LE =
        MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final ColumnDescriptor column;
    private final PageWriter pageWriter;
    private final int pageBytes;
    private final int pageRows;
    private final LevelRuns repetition;
    private final LevelRuns definition;
    private byte[] values;
    private int valueBytes;
    private Statistics<?> statistics;
    private int rows;
    private int valueCount;

    TokenPages(ColumnDescriptor column, PageWriter pageWriter, ParquetProperties properties) {
      this.column = column;
      this.pageWriter = pageWriter;
      this.pageBytes = properties.getPageSizeThreshold();
      this.pageRows = properties.getMinRowCountForPageSizeCheck();
      this.repetition = new LevelRuns(column.getMaxRepetitionLevel());
      this.definition = new LevelRuns(column.getMaxDefinitionLevel());
      this.values = new byte[pageBytes];
      this.statistics = Statistics.createStats(column.getPrimitiveType());
    }

    void add(int[] ids) throws IOException {
      rows++;
      if (ids.length == 0) {
        repetition.add(0, 1);
        definition.add(EMPTY_LIST, 1);
        valueCount++;
        return;
      }
      repetition.add(0, 1);
      repetition.add(1, ids.length - 1);
      definition.add(ELEMENT, ids.length);
      if (values.length - valueBytes < 4 * ids.length) {
        values = Arrays.copyOf(values, valueBytes + 4 * ids.length);
      }
      int min = ids[0];
      int max = ids[0];
      for (int id : ids) {
        min = Math.min(min, id);
        max = Math.max(max, id);
        INT_LE.set(values, valueBytes, id);
        valueBytes += 4;
      }
      statistics.updateStats(min);
      statistics.updateStats(max);
      valueCount += ids.length;
      if (valueBytes >= pageBytes && rows >= pageRows) {
        flushPage();
      }
    }

    /** Raw bytes waiting for the next page plus the compressed pages of this row group. */
    long bufferedBytes() {
      return valueBytes + pageWriter.getMemSize();
    }

    void flushPage() throws IOException {
      if (rows == 0) {
        return;
      }
      pageWriter.writePage(
          BytesInput.concat(
              repetition.toBytes(), definition.toBytes(), BytesInput.from(values, 0, valueBytes)),
          valueCount,
          rows,
          statistics,
          Encoding.RLE,
          Encoding.RLE,
          Encoding.PLAIN);
      repetition.clear();
      definition.clear();
      valueBytes = 0;
      statistics = Statistics.createStats(column.getPrimitiveType());
      rows = 0;
      valueCount = 0;
    }
  }

  /**
   * Levels as RLE runs (Parquet's RLE/bit-packing hybrid using only RLE runs): a run is a ULEB128
   * header {@code count << 1} and the value in {@code ceil(bitWidth / 8)} bytes; a v1 page prefixes
   * the runs with their byte length (int32, little-endian).
   */
  private static final class LevelRuns {
    private final int valueBytes;
    private final ByteArrayOutputStream runs = new ByteArrayOutputStream();
    private int value = -1;
    private long count;

    LevelRuns(int maxLevel) {
      this.valueBytes = (BytesUtils.getWidthFromMaxInt(maxLevel) + 7) / 8;
    }

    void add(int level, int times) {
      if (times == 0) {
        return;
      }
      if (level != value) {
        closeRun();
        value = level;
      }
      count += times;
    }

    BytesInput toBytes() {
      closeRun();
      byte[] encoded = runs.toByteArray();
      return BytesInput.concat(BytesInput.fromInt(encoded.length), BytesInput.from(encoded));
    }

    void clear() {
      runs.reset();
      value = -1;
      count = 0;
    }

    private void closeRun() {
      if (count == 0) {
        return;
      }
      if (count > Integer.MAX_VALUE) {
        throw new IllegalStateException("Level run of " + count + " values in one page");
      }
      for (long header = count << 1; ; header >>>= 7) {
        if (header < 0x80) {
          runs.write((int) header);
          break;
        }
        runs.write((int) (header & 0x7F) | 0x80);
      }
      for (int i = 0; i < valueBytes; i++) {
        runs.write(value >>> (8 * i));
      }
      count = 0;
    }
  }
}
