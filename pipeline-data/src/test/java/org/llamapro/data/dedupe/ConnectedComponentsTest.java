package org.llamapro.data.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.llamapro.data.spark.SparkSessions;

class ConnectedComponentsTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSessions.smallLocal("connected-components-test");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Map<String, String> components(List<String[]> pairs) {
    List<Row> rows = new ArrayList<>();
    for (String[] pair : pairs) {
      rows.add(RowFactory.create(pair[0], pair[1]));
    }
    StructType schema =
        new StructType().add("src", DataTypes.StringType).add("dst", DataTypes.StringType);
    Map<String, String> out = new TreeMap<>();
    for (Row row :
        ConnectedComponents.of(spark.createDataFrame(rows, schema), 32)
            .components()
            .collectAsList()) {
      out.put(row.getString(0), row.getString(1));
    }
    return out;
  }

  @Test
  void chainsStarsAndCyclesEachBecomeOneComponentRootedAtTheSmallestId() {
    List<String[]> pairs = new ArrayList<>();
    // A chain of 12 in scrambled id order: what verification leaves of a star.
    String[] chain = {
      "c07", "c03", "c11", "c01", "c09", "c05", "c12", "c02", "c10", "c04", "c08", "c06"
    };
    for (int i = 1; i < chain.length; i++) {
      pairs.add(new String[] {chain[i - 1], chain[i]});
    }
    // A long chain in id order (takes several rounds).
    for (int i = 1; i < 50; i++) {
      pairs.add(new String[] {String.format("p%02d", i - 1), String.format("p%02d", i)});
    }
    // A star, and a cycle.
    for (String leaf : new String[] {"s2", "s3", "s4"}) {
      pairs.add(new String[] {"s5", leaf});
    }
    pairs.add(new String[] {"y1", "y2"});
    pairs.add(new String[] {"y2", "y3"});
    pairs.add(new String[] {"y3", "y1"});
    Map<String, String> components = components(pairs);
    assertEquals(12 + 50 + 4 + 3, components.size());
    for (int i = 0; i < 50; i++) {
      assertEquals("p00", components.get(String.format("p%02d", i)), "p" + i);
    }
    for (String node : chain) {
      assertEquals("c01", components.get(node), node);
    }
    for (String node : new String[] {"s2", "s3", "s4", "s5"}) {
      assertEquals("s2", components.get(node), node);
    }
    for (String node : new String[] {"y1", "y2", "y3"}) {
      assertEquals("y1", components.get(node), node);
    }
  }
}
