package org.llamapro.data.pack;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.data.tokenize.TokenizerFile;
import org.llamapro.shards.DeltaLog;
import org.llamapro.shards.ShardBuild;
import org.llamapro.shards.ShardManifest;

/**
 * Builds what a pack run records: the {@link ShardBuild build description} committed with the table
 * version, and {@code manifest.json} (the description plus the version, counts and files).
 */
final class ShardManifests {
  /** The shard table's directory name under the output directory. */
  static final String SHARDS_DIR = "shards";

  private ShardManifests() {}

  static ShardBuild build(
      PackOptions options,
      TokenizerFile tokenizer,
      ShardBuild.Input input,
      long fingerprint,
      UnitLayout layout,
      String runId) {
    return new ShardBuild(
        ShardBuild.FORMAT,
        new ShardBuild.Tokenizer(tokenizer.name(), tokenizer.sha256(), tokenizer.vocabSize()),
        options.seqLen(),
        new ShardBuild.SpecialTokens(
            options.bos().configName(),
            LlamaTokenizer.BOS_ID,
            "end of every document",
            LlamaTokenizer.EOS_ID,
            options.padId(),
            options.tail().configName()),
        new ShardBuild.Mixture(
            options.weights(), options.defaultWeight(), options.holdoutFraction()),
        options.seed(),
        units(layout),
        input.withDocumentsFingerprint(String.format("%016x", fingerprint)),
        options.describe(),
        runId);
  }

  static ShardBuild.Units units(UnitLayout layout) {
    return new ShardBuild.Units(layout.trainUnits(), layout.validationUnits());
  }

  /** The manifest of {@code snapshot}, the version this run committed. */
  static ShardManifest manifest(ShardBuild build, DeltaLog.Snapshot snapshot, PackCounts counts) {
    return ShardManifest.of(
        build,
        SHARDS_DIR,
        snapshot.version(),
        Instant.now().toString(),
        counts.toManifest(),
        files(snapshot));
  }

  private static List<ShardManifest.DataFile> files(DeltaLog.Snapshot snapshot) {
    List<ShardManifest.DataFile> files = new ArrayList<>();
    for (DeltaLog.DataFile file : snapshot.files()) {
      files.add(
          new ShardManifest.DataFile(
              file.path(),
              file.numRecords(),
              file.size(),
              file.minString(ShardSchema.SPLIT),
              file.minInt(ShardSchema.UNIT)));
    }
    files.sort(
        Comparator.comparing((ShardManifest.DataFile f) -> String.valueOf(f.split()))
            .thenComparing(f -> f.unit() == null ? 0 : f.unit()));
    return files;
  }
}
