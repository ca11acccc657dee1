package org.llamapro.data.ingest;

/** Why a record went to {@code quarantine/}: the values of its {@code reason} column. */
public final class QuarantineReason {
  /**
   * A file that cannot be opened or decompressed (corrupt or truncated); position = first lost
   * line.
   */
  public static final String CORRUPT_FILE = "corrupt-file";

  /** A line that is not a JSON value, or has trailing garbage. */
  public static final String NOT_JSON = "not-json";

  /** A JSON value that is not an object. */
  public static final String NOT_OBJECT = "not-object";

  /** A record without the text field or column (or with null there). */
  public static final String MISSING_TEXT = "missing-text";

  /** A text field that is not a string (a number, an array, an object). */
  public static final String TEXT_NOT_STRING = "text-not-string";

  /** Bytes that are not valid UTF-8 (or a JSON escape of an unpaired surrogate). */
  public static final String INVALID_UTF8 = "invalid-utf8";

  /** A text that is empty or whitespace only. */
  public static final String EMPTY_DOCUMENT = "empty-document";

  /** A line longer than {@code ingest.max-document-bytes}. */
  public static final String TOO_LARGE = "too-large";

  /** A Parquet file whose footer cannot be read, or rows of it that could not be read. */
  public static final String UNREADABLE_PARQUET = "unreadable-parquet";

  /**
   * Not a bad record: an empty line in a JSON Lines file. Counted in the summary, not quarantined.
   */
  static final String BLANK_LINE = "blank-line";

  private QuarantineReason() {}
}
