package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.cli.config.ConfigCatalog;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;

/** docs/configuration.md is generated from the key declarations and kept up to date. */
class ConfigCatalogTest {
  /** Set to true, the up-to-date test writes the reference instead of comparing it. */
  private static final String UPDATE = "config.reference.update";

  @TempDir Path temp;

  @Test
  void theCommittedReferenceIsUpToDate() throws IOException {
    Path committed = Path.of("../docs/configuration.md");
    String expected = ConfigCatalog.reference();
    if (Boolean.getBoolean(UPDATE)) {
      Files.createDirectories(committed.getParent());
      Files.writeString(committed, expected);
    }
    String actual = Files.exists(committed) ? Files.readString(committed) : "(missing)";
    assertTrue(
        expected.equals(actual),
        "docs/configuration.md is out of date with the key declarations; regenerate it with: "
            + ConfigCatalog.REGENERATE
            + " (after mvn -B -q -DskipTests package), or: mvn -B -q test -pl pipeline-cli -am"
            + " -Dtest=ConfigCatalogTest -Dsurefire.failIfNoSpecifiedTests=false -D"
            + UPDATE
            + "=true");
  }

  @Test
  void everyKeyIsDocumentedOnceWithASentence() {
    Map<String, String> owner = new HashMap<>();
    for (ConfigKeys group : ConfigCatalog.GROUPS) {
      for (ConfigKey<?> key : group.keys()) {
        String previous = owner.put(key.name(), group.title());
        assertEquals(null, previous, key.name() + " is in two groups: " + previous);
        assertTrue(key.description().endsWith("."), key.name() + ": " + key.description());
      }
    }
  }

  @Test
  void theReferenceHasEveryKeyItsDefaultAndTheResolutionOrder() {
    String reference = ConfigCatalog.reference();
    assertTrue(
        reference.contains(
            "| `demo.pretrain.steps` | int | `120` | Optimizer steps of the base model's"
                + " pretraining. |"),
        reference);
    assertTrue(reference.contains("| `demo.corpus` | string | `demo/corpus` |"), reference);
    assertTrue(reference.contains("| `spark.hadoop.*` |"), reference);
    assertTrue(reference.indexOf("`--set key=value`") < reference.indexOf("the `--config` file"));
  }

  @Test
  void theCommandWritesTheReference() throws IOException {
    Path out = temp.resolve("configuration.md");
    CliRun run = CliRun.of("config-reference", "--output", out.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(ConfigCatalog.reference(), Files.readString(out));
  }
}
