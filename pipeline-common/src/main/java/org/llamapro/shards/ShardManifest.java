package org.llamapro.shards;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code manifest.json} next to a shard table: the {@link ShardBuild build description} of the
 * version it names, the version, when it was committed, the counts per split and source, and the
 * table's data files. Replaced atomically after each commit.
 */
public record ShardManifest(
    String format,
    ShardBuild.Tokenizer tokenizer,
    int seqLen,
    ShardBuild.SpecialTokens specialTokens,
    ShardBuild.Mixture mixture,
    long seed,
    ShardBuild.Units units,
    ShardBuild.Input input,
    ShardBuild.PackSettings options,
    String runId,
    String table,
    long tableVersion,
    String created,
    Map<String, SplitCounts> counts,
    List<DataFile> files) {

  /** The file's name under the pack output directory. */
  public static final String FILE = "manifest.json";

  /** Rows, tokens and padding of one split, and its counts per source. */
  public record SplitCounts(
      long rows,
      long tokensInRows,
      long padTokens,
      long tokensDropped,
      Map<String, SourceCounts> sources) {}

  /**
   * Counts of one source in one split; tokens include the BOS and EOS that packing adds, and {@code
   * tokens_after_mix == tokens_in_rows + tokens_dropped}.
   */
  public record SourceCounts(
      long documents,
      long bytes,
      long emptyDocuments,
      long specialTokenDocuments,
      long tokensBeforeMix,
      long copiesAfterMix,
      long tokensAfterMix,
      long tokensInRows,
      long tokensDropped) {}

  /** A data file of the version: path relative to the table, rows, bytes, split and unit. */
  public record DataFile(String path, long rows, long bytes, String split, Integer unit) {}

  public static ShardManifest of(
      ShardBuild build,
      String table,
      long tableVersion,
      String created,
      Map<String, SplitCounts> counts,
      List<DataFile> files) {
    return new ShardManifest(
        build.format(),
        build.tokenizer(),
        build.seqLen(),
        build.specialTokens(),
        build.mixture(),
        build.seed(),
        build.units(),
        build.input(),
        build.options(),
        build.runId(),
        table,
        tableVersion,
        created,
        counts,
        files);
  }

  /** The build description this manifest repeats. */
  public ShardBuild build() {
    return new ShardBuild(
        format, tokenizer, seqLen, specialTokens, mixture, seed, units, input, options, runId);
  }

  /** Reads {@code path} (local, hdfs://, s3a://); a missing or unknown field fails naming it. */
  public static ShardManifest read(Configuration conf, String path) {
    return HadoopJsonFiles.read(conf, path, ShardManifest.class, "shard manifest");
  }

  public static ShardManifest read(java.nio.file.Path path) {
    return org.llamapro.io.JsonFiles.read(path, ShardManifest.class, "shard manifest");
  }

  /** Replaces {@code path} atomically. */
  public void write(Configuration conf, String path) {
    HadoopJsonFiles.write(conf, path, this);
  }
}
