package org.llamapro.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.graphx.Graph;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.llamapro.data.dedupe.ConnectedComponents;
import org.llamapro.data.spark.SparkSessions;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * {@code bench/run connected-components [EDGES]}: dedupe's large-star/small-star connected
 * components (DataFrames, string ids) against GraphX's {@code connectedComponents} (Pregel, long
 * ids) on the same synthetic duplicate graph: clusters of 2-50 documents joined as stars (as LSH
 * buckets emit them) and chains (what verification leaves of a star), in local mode.
 */
final class ComponentsBenchmark {
  private ComponentsBenchmark() {}

  static void run(String[] args) {
    int targetEdges = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    SparkSession spark = SparkSessions.getOrCreate("bench connected-components");
    List<Row> edges = new ArrayList<>();
    List<Tuple2<Object, Object>> longEdges = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(7);
    long node = 0;
    int clusters = 0;
    while (edges.size() < targetEdges) {
      int size = random.nextInt(10) < 8 ? 2 + random.nextInt(3) : 5 + random.nextInt(46);
      boolean chain = random.nextBoolean();
      for (int i = 1; i < size; i++) {
        long a = chain ? node + i - 1 : node;
        long b = node + i;
        edges.add(
            RowFactory.create(
                String.format(Locale.ROOT, "doc/%012d", a),
                String.format(Locale.ROOT, "doc/%012d", b)));
        longEdges.add(new Tuple2<>(a, b));
      }
      node += size;
      clusters++;
    }
    StructType schema =
        new StructType().add("src", DataTypes.StringType).add("dst", DataTypes.StringType);
    Dataset<Row> frame = spark.createDataFrame(edges, schema).repartition(8).localCheckpoint();
    JavaRDD<Tuple2<Object, Object>> rdd =
        new JavaSparkContext(spark.sparkContext()).parallelize(longEdges, 8).cache();
    rdd.count();
    System.out.printf(
        Locale.ROOT,
        "graph: %d nodes, %d edges, %d clusters (sizes 2-50, stars and chains)%n",
        node,
        edges.size(),
        clusters);
    for (int round = 1; round <= 2; round++) {
      long t0 = System.nanoTime();
      ConnectedComponents.Result result = ConnectedComponents.of(frame, 64);
      long components = result.components().select("component").distinct().count();
      double largeStar = (System.nanoTime() - t0) / 1e9;

      long t1 = System.nanoTime();
      Graph<Object, Object> graph =
          Graph.fromEdgeTuples(
              rdd.rdd(),
              1,
              scala.Option.empty(),
              StorageLevel.MEMORY_ONLY(),
              StorageLevel.MEMORY_ONLY(),
              ClassTag$.MODULE$.apply(Object.class));
      long graphxComponents =
          graph
              .ops()
              .connectedComponents()
              .vertices()
              .toJavaRDD()
              .map(t -> t._2())
              .distinct()
              .count();
      double graphx = (System.nanoTime() - t1) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "round %d: large-star/small-star %.1f s (%d rounds, %d components); GraphX %.1f s (%d components)%n",
          round,
          largeStar,
          result.iterations(),
          components,
          graphx,
          graphxComponents);
    }
    spark.stop();
  }
}
