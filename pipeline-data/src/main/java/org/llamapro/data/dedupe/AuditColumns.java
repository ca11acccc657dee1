package org.llamapro.data.dedupe;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The audit table ({@code dedupe/audit/}): one row per removed document. */
public final class AuditColumns {
  public static final String ID = "id";
  public static final String SOURCE = "source";

  /** exact | near | contamination. */
  public static final String REASON = "reason";

  /** The kept document this one duplicates (null for contamination). */
  public static final String DUPLICATE_OF = "duplicate_of";

  /** Jaccard similarity to the kept document where known (1.0 for exact). */
  public static final String SIMILARITY = "similarity";

  /** {@code exact:<normalised-text sha256>} or {@code near:<lowest id in the component>}. */
  public static final String COMPONENT = "component";

  /** For contamination: the evaluation set and the item the document overlaps. */
  public static final String EVAL_SET = "eval_set";

  public static final String EVAL_ITEM = "eval_item";

  /** Free text: the matched n-gram, whether the kept document is from a reference index. */
  public static final String DETAIL = "detail";

  public static final String EXACT = "exact";
  public static final String NEAR = "near";
  public static final String CONTAMINATION = "contamination";

  public static final StructType SCHEMA =
      new StructType()
          .add(ID, DataTypes.StringType, false)
          .add(SOURCE, DataTypes.StringType, false)
          .add(REASON, DataTypes.StringType, false)
          .add(DUPLICATE_OF, DataTypes.StringType, true)
          .add(SIMILARITY, DataTypes.DoubleType, true)
          .add(COMPONENT, DataTypes.StringType, true)
          .add(EVAL_SET, DataTypes.StringType, true)
          .add(EVAL_ITEM, DataTypes.StringType, true)
          .add(DETAIL, DataTypes.StringType, true);

  private AuditColumns() {}
}
