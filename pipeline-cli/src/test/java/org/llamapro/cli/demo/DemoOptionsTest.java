package org.llamapro.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.Settings;

/** demo.* keys: defaults as in conf/demo/demo.properties, validation naming key and value. */
class DemoOptionsTest {
  @Test
  void theShippedFileSetsEveryKeyToItsDefault() {
    Settings shipped = Settings.load(Path.of("../conf/demo/demo.properties"));
    for (ConfigKey<?> key : DemoOptions.KEYS.keys()) {
      assertEquals(key.defaultText(), shipped.asMap().get(key.name()), key.name());
    }
    DemoOptions options = DemoOptions.from(shipped);
    assertEquals(120, options.pretrainSteps());
    assertEquals("demo/corpus", options.corpus());
  }

  @Test
  void aTypoInADemoKeyNamesTheClosestKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> DemoOptions.from(Settings.of(Map.of("demo.pretrain.step", "3"))));
    assertTrue(e.getMessage().contains("did you mean 'demo.pretrain.steps'"), e.getMessage());
  }

  @Test
  void buildRefusesImpossibleModelsNamingTheKey() {
    ConfigException heads =
        assertThrows(
            ConfigException.class,
            () -> DemoOptions.builder().optHiddenSize(64).optHeads(5).build());
    assertEquals(
        "Invalid demo.model.heads: 5 (must divide demo.model.hidden-size 64)", heads.getMessage());
    ConfigException expand =
        assertThrows(
            ConfigException.class,
            () -> DemoOptions.from(Settings.of(Map.of("demo.expand.layers", "4"))));
    assertEquals(
        "Invalid demo.expand.layers: 4 (must be > demo.model.layers 4)", expand.getMessage());
    ConfigException steps =
        assertThrows(
            ConfigException.class,
            () -> DemoOptions.from(Settings.of(Map.of("demo.pretrain.steps", "0"))));
    assertEquals("Invalid demo.pretrain.steps: 0 (must be > 0)", steps.getMessage());
  }
}
