package org.llamapro.data.pack;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llamapro.config.Settings;
import org.llamapro.data.prepare.OutputLayout;
import org.llamapro.data.prepare.PrepareStage;
import org.llamapro.data.prepare.StageContext;
import org.llamapro.data.prepare.StageReport;

/**
 * The tokenize, mix and pack stages as the last stage of {@code data prepare}: reads {@code clean/}
 * and commits {@code shards/} (a new version of the Delta table, so a failed run leaves the
 * previous version untouched) and {@code manifest.json}.
 */
public final class PackPrepareStage implements PrepareStage {
  public static final String NAME = "pack";

  private final PackOptions options;

  private PackPrepareStage(PackOptions options) {
    this.options = options;
  }

  public static PackPrepareStage from(Settings settings) {
    return new PackPrepareStage(PackOptions.fromSettings(settings));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> configPrefixes() {
    return PackOptions.PREFIXES;
  }

  @Override
  public Set<String> knownKeys() {
    return new HashSet<>(PackOptions.KEYS);
  }

  @Override
  public String fingerprintInputs(StageContext context) {
    return options.toString();
  }

  /** Nothing is deleted up front: the shard table is replaced by an atomic Delta commit. */
  @Override
  public List<String> outputs(OutputLayout layout) {
    return List.of();
  }

  @Override
  public StageReport run(StageContext context) {
    String clean = context.layout().clean();
    PackResult result =
        TokenizePackStage.run(
            context.spark(),
            TokenizePackStage.readDocuments(context.spark(), clean),
            options,
            context.layout().root(),
            InputSnapshot.describe(context.spark().sparkContext().hadoopConfiguration(), clean));
    StageReport report = new StageReport();
    for (Map.Entry<String, Object> entry : result.toSummary().entrySet()) {
      report.put(entry.getKey(), entry.getValue());
    }
    return report;
  }
}
