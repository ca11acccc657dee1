package org.llamapro.data.pack;

import java.util.List;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import org.llamapro.data.stage.OutputLayout;
import org.llamapro.data.stage.PrepareStage;
import org.llamapro.data.stage.StageContext;

/**
 * The tokenize, mix and pack stages as the last stage of {@code data prepare}: reads {@code clean/}
 * and commits {@code shards/} (a new version of the Delta table, so a failed run leaves the
 * previous version untouched) and {@code manifest.json}.
 */
public final class PackPrepareStage implements PrepareStage<PackReport> {
  public static final String NAME = "pack";

  private final PackOptions options;

  private PackPrepareStage(PackOptions options) {
    this.options = options;
  }

  public static PackPrepareStage from(Settings settings) {
    return new PackPrepareStage(PackOptions.from(settings));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<PackReport> reportType() {
    return PackReport.class;
  }

  @Override
  public ConfigKeys configKeys() {
    return PackOptions.KEYS;
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
  public PackReport run(StageContext context) {
    String clean = context.layout().clean();
    return TokenizePackStage.run(
            context.spark(),
            DocumentsTable.read(context.spark(), clean),
            options,
            context.layout().root(),
            InputSnapshot.describe(context.spark().sparkContext().hadoopConfiguration(), clean))
        .report();
  }
}
