package org.llamapro.data.dedupe;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.min;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connected components of an undirected graph of string node ids, with the large-star/small-star
 * algorithm (Kiveris et al., "Connected Components in MapReduce and Beyond", 2014), in DataFrames:
 * O(log n) rounds of two shuffles each, no node ever holds its whole component in memory, and every
 * node ends up pointing at the smallest id of its component.
 */
public final class ConnectedComponents {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectedComponents.class);

  /** The components (node, component = smallest node id) and the rounds it took. */
  public record Result(Dataset<Row> components, int iterations) {}

  private ConnectedComponents() {}

  /**
   * @param edges rows (src, dst), undirected; self-loops are ignored
   * @return rows (node, component) for every node that has an edge, roots included
   */
  public static Result of(Dataset<Row> edges, int maxIterations) {
    Dataset<Row> current =
        edges
            .select(col("src").as("a"), col("dst").as("b"))
            .filter(col("a").notEqual(col("b")))
            .distinct()
            .localCheckpoint();
    int iteration = 0;
    while (true) {
      iteration++;
      if (iteration > maxIterations) {
        throw new IllegalStateException(
            "Connected components did not converge in "
                + maxIterations
                + " rounds (dedupe.near.max-iterations)");
      }
      Dataset<Row> large = largeStar(current).localCheckpoint();
      Dataset<Row> small = smallStar(large).localCheckpoint();
      // Converged when a whole round (large star, then small star) leaves the edges unchanged.
      long changes = current.except(small).count() + small.except(current).count();
      LOG.info("dedupe: connected components round {}: {} changed edges", iteration, changes);
      current = small;
      if (changes == 0) {
        break;
      }
    }
    // At the fixed point every edge is (node, smallest node of its component).
    Dataset<Row> members = current.select(col("a").as("node"), col("b").as("component"));
    Dataset<Row> roots = current.select(col("b").as("node"), col("b").as("component")).distinct();
    return new Result(members.unionByName(roots).distinct(), iteration);
  }

  /**
   * Each node links its larger neighbours to the smallest of its neighbourhood (itself included).
   */
  private static Dataset<Row> largeStar(Dataset<Row> edges) {
    Dataset<Row> both =
        edges
            .select(col("a").as("x"), col("b").as("n"))
            .unionByName(edges.select(col("b").as("x"), col("a").as("n")));
    WindowSpec byNode = Window.partitionBy("x");
    return both.withColumn("m", least(min("n").over(byNode), col("x")))
        .filter(col("n").gt(col("x")))
        .select(col("n").as("a"), col("m").as("b"))
        .distinct();
  }

  /** Each node links itself and its smaller neighbours to the smallest of them. */
  private static Dataset<Row> smallStar(Dataset<Row> edges) {
    Dataset<Row> oriented =
        edges
            .select(greatest(col("a"), col("b")).as("x"), least(col("a"), col("b")).as("n"))
            .filter(col("x").notEqual(col("n")));
    Dataset<Row> withMin = oriented.withColumn("m", min("n").over(Window.partitionBy("x")));
    Dataset<Row> neighbours =
        withMin.filter(col("n").notEqual(col("m"))).select(col("n").as("a"), col("m").as("b"));
    Dataset<Row> self = withMin.select(col("x").as("a"), col("m").as("b"));
    return neighbours.unionByName(self).distinct();
  }
}
