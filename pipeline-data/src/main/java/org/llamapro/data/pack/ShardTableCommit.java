package org.llamapro.data.pack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.AddFile$;
import org.apache.spark.sql.delta.actions.Format;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.types.DataType;
import scala.Option;
import scala.collection.immutable.Map$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Commits the files the pack tasks wrote as one new version of the shard table that replaces all
 * its rows (an overwrite), through Delta Lake's own transaction: its log store, conflict checks and
 * checkpoints. Until this commit the files are invisible to every Delta reader.
 */
final class ShardTableCommit {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Kept on the table: manifests name versions that readers replay from the JSON commits. */
  static final String KEEP_LOG = "delta.enableExpiredLogCleanup";

  private final OptimisticTransaction txn;
  private final List<AddFile> previous;

  private ShardTableCommit(OptimisticTransaction txn, List<AddFile> previous) {
    this.txn = txn;
    this.previous = previous;
  }

  /**
   * Opens the transaction: the table's current version and its files (a small Spark job). The stage
   * opens it before its jobs, as Delta's own writer does: a commit by someone else in the meantime
   * makes this one fail instead of being overwritten unseen.
   */
  static ShardTableCommit begin(SparkSession spark, String table) {
    OptimisticTransaction txn = DeltaLog.forTable(spark, table).startTransaction();
    return new ShardTableCommit(txn, CollectionConverters.asJava(txn.filterFiles()));
  }

  /** Commits {@code files} (relative to the table) in place of all its rows; the new version. */
  long overwrite(List<WrittenShard> files, String userMetadata) {
    String schema = ShardSchema.TABLE.json();
    if (txn.readVersion() < 0) {
      txn.updateMetadataForNewTable(
          new Metadata(
              UUID.randomUUID().toString(),
              null,
              null,
              new Format("parquet", Map$.MODULE$.empty()),
              schema,
              CollectionConverters.asScala(List.<String>of()).toList(),
              Map$.MODULE$.<String, String>empty().updated(KEEP_LOG, "false"),
              Option.apply(System.currentTimeMillis())));
    } else if (!DataType.fromJson(txn.metadata().schemaString()).equals(ShardSchema.TABLE)) {
      Metadata old = txn.metadata();
      txn.updateMetadata(
          new Metadata(
              old.id(),
              old.name(),
              old.description(),
              old.format(),
              schema,
              old.partitionColumns(),
              old.configuration().updated(KEEP_LOG, "false"),
              old.createdTime()),
          false);
    }
    List<Action> actions = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (AddFile file : previous) {
      actions.add(file.removeWithTimestamp(now, true));
    }
    for (WrittenShard file : files) {
      actions.add(
          new AddFile(
              file.name(),
              Map$.MODULE$.empty(),
              file.bytes(),
              file.modificationTime(),
              true,
              stats(file),
              // Delta's defaults: no tags, deletion vector, row ids or clustering.
              AddFile$.MODULE$.$lessinit$greater$default$7(),
              AddFile$.MODULE$.$lessinit$greater$default$8(),
              AddFile$.MODULE$.$lessinit$greater$default$9(),
              AddFile$.MODULE$.$lessinit$greater$default$10(),
              AddFile$.MODULE$.$lessinit$greater$default$11()));
    }
    return txn.commit(
        CollectionConverters.asScala(actions).toList(),
        new DeltaOperations.Write(
            SaveMode.Overwrite, Option.empty(), Option.empty(), Option.apply(userMetadata)));
  }

  /** Delta's per-file statistics (data skipping; our manifest reads split and unit from them). */
  static String stats(WrittenShard file) {
    ObjectNode stats = JSON.createObjectNode();
    stats.put("numRecords", file.rows());
    ObjectNode min = stats.putObject("minValues");
    min.put(ShardSchema.SPLIT, file.split());
    min.put(ShardSchema.UNIT, file.unit());
    min.put(ShardSchema.ROW, file.firstRow());
    min.put(ShardSchema.NUM_TOKENS, file.minTokens());
    ObjectNode max = stats.putObject("maxValues");
    max.put(ShardSchema.SPLIT, file.split());
    max.put(ShardSchema.UNIT, file.unit());
    max.put(ShardSchema.ROW, file.lastRow());
    max.put(ShardSchema.NUM_TOKENS, file.maxTokens());
    ObjectNode nulls = stats.putObject("nullCount");
    for (String column : ShardSchema.TABLE.fieldNames()) {
      nulls.put(column, 0);
    }
    return stats.toString();
  }
}
