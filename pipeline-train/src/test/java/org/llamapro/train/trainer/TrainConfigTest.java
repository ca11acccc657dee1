package org.llamapro.train.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.TinyConfigs;

class TrainConfigTest {
  @Test
  void shippedConfigurationsResolve() {
    TrainConfig paper = TrainConfig.from(Settings.load(Path.of("../conf/train-paper.properties")));
    assertEquals(15900, paper.steps());
    assertEquals(1024, paper.globalBatchSize());
    assertEquals(4096, paper.seqLen());
    assertEquals(32, paper.accumulationSteps()); // 1024 / (2 rows x 16 workers)
    assertEquals(954, paper.optimizer().schedule().warmupSteps()); // 6% of 15,900
    assertEquals(2e-4, paper.optimizer().schedule().at(954), 1e-12);
    TrainConfig tiny =
        TrainConfig.from(Settings.load(Path.of("../conf/train-tiny-cpu.properties")));
    assertEquals("cpu", tiny.device());
    assertEquals(4, tiny.accumulationSteps());
  }

  @Test
  void unknownKeysAndBadValuesNameTheKey() {
    Map<String, String> base =
        Map.of(
            TrainConfig.MODEL.name(),
            "m",
            TrainConfig.SHARDS.name(),
            "s",
            TrainConfig.OUTPUT.name(),
            "o",
            TrainConfig.STEPS.name(),
            "10");
    ConfigException typo =
        assertThrows(
            ConfigException.class,
            () ->
                TrainConfig.from(
                    Settings.of(base).overriddenBy(Settings.of(Map.of("train.stesp", "3")))));
    assertTrue(typo.getMessage().contains("train.stesp"), typo.getMessage());
    ConfigException steps =
        assertThrows(
            ConfigException.class,
            () ->
                TrainConfig.from(
                    Settings.of(base)
                        .overriddenBy(Settings.of(Map.of(TrainConfig.STEPS.name(), "0")))));
    assertEquals("Invalid train.steps: 0 (must be > 0)", steps.getMessage());
    ConfigException minLr =
        assertThrows(
            ConfigException.class,
            () ->
                TrainConfig.from(
                    Settings.of(base)
                        .overriddenBy(
                            Settings.of(Map.of(OptimizerSettings.MIN_LR.name(), "0.01")))));
    assertTrue(
        minLr
            .getMessage()
            .contains("Invalid train.min-lr: 0.01 (must be in [0, train.lr = 2.0E-4])"),
        minLr.getMessage());
  }

  @Test
  void scheduleWarmsUpLinearlyThenDecaysToTheFloor() {
    LearningRateSchedule s = LearningRateSchedule.of(2e-4, 2e-5, 0.06, 100);
    assertEquals(6, s.warmupSteps());
    assertEquals(2e-4 / 6, s.at(1), 1e-15);
    assertEquals(2e-4, s.at(6), 1e-15);
    assertEquals(2e-5 + (2e-4 - 2e-5) / 2, s.at(53), 1e-12); // halfway through the cosine
    assertEquals(2e-5, s.at(100), 1e-15);
    assertTrue(s.at(30) > s.at(31));
  }

  @Test
  void trainableSpecs() {
    LlamaConfig config = TinyConfigs.llama(5);
    Path none = Path.of("no-such-model");
    TrainableSet list = TrainableSet.resolve(" 4, 1 ", config, none);
    assertEquals(List.of(1, 4), List.copyOf(list.blocks()));
    assertEquals(1, list.lowestStage(5));
    assertTrue(list.contains("model.layers.4.mlp.down_proj.weight"));
    assertFalse(list.contains("model.layers.2.mlp.down_proj.weight"));
    assertFalse(list.contains("lm_head.weight"));
    TrainableSet all = TrainableSet.resolve("all", config, none);
    assertEquals(-1, all.lowestStage(5));
    assertTrue(all.contains("model.embed_tokens.weight") && all.contains("model.norm.weight"));
    TrainableSet blocks = TrainableSet.resolve("blocks", config, none);
    assertEquals(5, blocks.blocks().size());
    assertFalse(blocks.contains("lm_head.weight"));
    IllegalArgumentException outside =
        assertThrows(IllegalArgumentException.class, () -> TrainableSet.resolve("5", config, none));
    assertEquals("Invalid --trainable block 5: the model has blocks 0..4", outside.getMessage());
    IllegalArgumentException word =
        assertThrows(
            IllegalArgumentException.class, () -> TrainableSet.resolve("some", config, none));
    assertTrue(word.getMessage().contains("expected new, all, blocks"), word.getMessage());
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> TrainableSet.resolve(",", config, none));
    assertTrue(empty.getMessage().startsWith("No trainable parameters"), empty.getMessage());
  }
}
