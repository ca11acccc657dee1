package org.llamapro.data.pack;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.llamapro.data.DocumentColumns;

/** Small documents tables for tests, in the schema of {@link DocumentColumns}. */
public final class TestDocuments {
  private static final String[] LINES = {
    "def f(x):",
    "    return x ** 2  # square",
    "  leading spaces",
    "\\int_0^1 x^2\\,dx = \\frac{1}{3}",
    "Unicode: ünïcödé ∑ ∫ 😀 中文",
    "The proof follows by induction on n.",
    "",
    "\tindented with a tab",
    "x = [i for i in range(10)]",
  };

  private TestDocuments() {}

  /** {@code perSource} documents for each source, texts of up to {@code maxLines} lines. */
  public static List<Row> rows(List<String> sources, int perSource, int maxLines, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (String source : sources) {
      for (int i = 0; i < perSource; i++) {
        StringBuilder text = new StringBuilder(random.nextBoolean() ? " " : "");
        int lines = random.nextInt(maxLines + 1);
        for (int l = 0; l < lines; l++) {
          text.append(LINES[random.nextInt(LINES.length)])
              .append(random.nextInt(3) == 0 ? "\n\n" : "\n");
        }
        String id = source + "/" + i;
        rows.add(RowFactory.create(id, source, "file:/" + source, text.toString(), "{}", "h" + id));
      }
    }
    return rows;
  }

  public static Dataset<Row> dataset(SparkSession spark, List<Row> rows) {
    return spark.createDataFrame(rows, DocumentColumns.SCHEMA);
  }
}
