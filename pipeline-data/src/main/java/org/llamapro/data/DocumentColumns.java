package org.llamapro.data;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The documents table: what ingest writes ({@code documents/}) and dedupe/decontamination leave
 * ({@code clean/}); the tokenize and pack stages read it. One row per document.
 */
public final class DocumentColumns {
  /** Stable id derived from where the document came from: source, file, row or line. */
  public static final String ID = "id";

  /** stack | algebraic-stack | open-web-math | arxiv | (any other configured source name). */
  public static final String SOURCE = "source";

  /** Where the document came from inside its source: the file path (URI) it was read from. */
  public static final String FILE = "file";

  public static final String TEXT = "text";

  /** All original fields other than the text, as a JSON object string. */
  public static final String META = "meta";

  /** Hex SHA-256 of the UTF-8 text as read (not normalised). */
  public static final String CONTENT_HASH = "content_hash";

  public static final StructType SCHEMA =
      new StructType()
          .add(ID, DataTypes.StringType, false)
          .add(SOURCE, DataTypes.StringType, false)
          .add(FILE, DataTypes.StringType, false)
          .add(TEXT, DataTypes.StringType, false)
          .add(META, DataTypes.StringType, false)
          .add(CONTENT_HASH, DataTypes.StringType, false);

  private DocumentColumns() {}
}
