package org.llamapro.data.dedupe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.llamapro.config.ConfigException;
import org.llamapro.data.prepare.Tables;

/**
 * The signature index a run leaves under {@code dedupe/index/}: {@code signatures/} (a Delta table
 * of id, source, norm_hash, signature for every document the run kept) and {@code params.json}
 * (what the signatures depend on). A later run passes it as {@code dedupe.reference-index} to
 * remove new documents that duplicate these, without touching them.
 */
public final class SignatureIndex {
  public static final String TABLE = "signatures";
  public static final String PARAMS = "params.json";

  private SignatureIndex() {}

  static void write(Tables tables, String directory, Dataset<Row> rows, String parameters) {
    tables.write(rows, directory + "/" + TABLE);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("format", "llamapro-signature-index-v1");
    params.put("parameters", parameters);
    tables.writeJson(directory + "/" + PARAMS, params);
  }

  /** The union of the given indexes (id, source, norm_hash, signature); checks compatibility. */
  static Dataset<Row> load(Tables tables, List<String> directories, String parameters) {
    Dataset<Row> all = null;
    for (String directory : directories) {
      Map<String, Object> params = tables.readJson(directory + "/" + PARAMS);
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
      if (!parameters.equals(params.get("parameters"))) {
        throw new ConfigException(
            "Reference index "
                + directory
                + " was built with '"
                + params.get("parameters")
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
