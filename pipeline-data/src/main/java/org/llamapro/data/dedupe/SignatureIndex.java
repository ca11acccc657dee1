package org.llamapro.data.dedupe;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.llamapro.config.ConfigException;
import org.llamapro.data.stage.Tables;

/**
 * The signature index a run leaves under {@code dedupe/index/}: {@code signatures/} (a Delta table
 * of id, source, norm_hash, signature for every document the run kept) and {@code params.json}
 * (what the signatures depend on). A later run passes it as {@code dedupe.reference-index} to
 * remove new documents that duplicate these, without touching them.
 */
public final class SignatureIndex {
  public static final String TABLE = "signatures";
  public static final String PARAMS = "params.json";

  /** The index's format name in {@link Params#format()}. */
  static final String FORMAT = "llamapro-signature-index-v1";

  /** {@code params.json}: the format, and what the signatures depend on. */
  record Params(String format, String parameters) {}

  private SignatureIndex() {}

  static void write(Tables tables, String directory, Dataset<Row> rows, String parameters) {
    tables.write(rows, directory + "/" + TABLE);
    tables.writeJson(directory + "/" + PARAMS, new Params(FORMAT, parameters));
  }

  /** The union of the given indexes (id, source, norm_hash, signature); checks compatibility. */
  static Dataset<Row> load(Tables tables, List<String> directories, String parameters) {
    Dataset<Row> all = null;
    for (String directory : directories) {
      Params params =
          tables.readJson(directory + "/" + PARAMS, Params.class, "signature index parameters");
      if (params == null || !tables.exists(directory + "/" + TABLE)) {
        throw new ConfigException(
            "Invalid "
                + DedupeOptions.REFERENCE_INDEX
                + ": '"
                + directory
                + "' is not a signature index (expected "
                + PARAMS
                + " and "
                + TABLE
                + "/, as under an earlier run's dedupe/index)");
      }
      if (!parameters.equals(params.parameters())) {
        throw new ConfigException(
            "Reference index "
                + directory
                + " was built with '"
                + params.parameters()
                + "' but this run uses '"
                + parameters
                + "'; signatures are only comparable with the same shingles, hashes, seed and"
                + " normalisation");
      }
      Dataset<Row> table = tables.read(directory + "/" + TABLE);
      all = all == null ? table : all.unionByName(table);
    }
    return all;
  }
}
