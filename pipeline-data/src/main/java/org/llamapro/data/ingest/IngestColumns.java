package org.llamapro.data.ingest;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.llamapro.data.DocumentColumns;

/**
 * The rows that ingest produces before splitting them into {@code documents/} and {@code
 * quarantine/}: one per input record, good or bad, so that every record is accounted for.
 */
public final class IngestColumns {
  /** 1-based line of a JSON Lines file, or 0-based row index of a Parquet file. */
  public static final String POSITION = "position";

  /** UTF-8 bytes of the text (0 for bad records). */
  public static final String BYTES = "bytes";

  /** Null for a good document; a {@link QuarantineReason} otherwise. */
  public static final String REASON = "reason";

  /** Human-readable detail of what is wrong (the parser's message, the byte offset). */
  public static final String DETAIL = "detail";

  /** The start of the bad record as text (invalid bytes replaced), for a quick look. */
  public static final String SAMPLE = "sample";

  public static final StructType RECORD =
      new StructType()
          .add(DocumentColumns.ID, DataTypes.StringType, false)
          .add(DocumentColumns.SOURCE, DataTypes.StringType, false)
          .add(DocumentColumns.FILE, DataTypes.StringType, false)
          .add(POSITION, DataTypes.LongType, false)
          .add(DocumentColumns.TEXT, DataTypes.StringType, true)
          .add(DocumentColumns.META, DataTypes.StringType, true)
          .add(DocumentColumns.CONTENT_HASH, DataTypes.StringType, true)
          .add(BYTES, DataTypes.LongType, false)
          .add(REASON, DataTypes.StringType, true)
          .add(DETAIL, DataTypes.StringType, true)
          .add(SAMPLE, DataTypes.StringType, true);

  /** The quarantine table ({@code quarantine/}). */
  public static final StructType QUARANTINE =
      new StructType()
          .add(DocumentColumns.ID, DataTypes.StringType, false)
          .add(DocumentColumns.SOURCE, DataTypes.StringType, false)
          .add(DocumentColumns.FILE, DataTypes.StringType, false)
          .add(POSITION, DataTypes.LongType, false)
          .add(REASON, DataTypes.StringType, false)
          .add(DETAIL, DataTypes.StringType, true)
          .add(SAMPLE, DataTypes.StringType, true);

  private IngestColumns() {}
}
