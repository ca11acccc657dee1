package org.llamapro.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Documents (in {@code DocumentColumns}' schema) a tiny model can learn from in a few steps: the
 * training tests pack them into shards.
 */
public final class LearnableDocuments {
  private LearnableDocuments() {}

  /**
   * {@code count} documents of Python functions and math sentences, seeded (the same every run).
   */
  public static List<Row> rows(int count) {
    Random random = new Random(3);
    String[] names = {"add", "scale", "mean", "norm", "count", "merge"};
    String[] words = {"integral", "sum", "limit", "series", "matrix", "vector"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder text = new StringBuilder();
      boolean code = i % 2 == 0;
      int parts = 2 + random.nextInt(3);
      for (int p = 0; p < parts; p++) {
        if (code) {
          text.append("def ")
              .append(names[random.nextInt(names.length)])
              .append("(x, y):\n    return x + y * ")
              .append(random.nextInt(10))
              .append("\n\n");
        } else {
          text.append("The ")
              .append(words[random.nextInt(words.length)])
              .append(" of x from 0 to ")
              .append(random.nextInt(10))
              .append(" is finite. ");
        }
      }
      String source = code ? "stack" : "open-web-math";
      String id = source + "/" + i;
      rows.add(RowFactory.create(id, source, "file:/" + source, text.toString(), "{}", "h" + id));
    }
    return rows;
  }
}
