package org.llamapro.train.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

class AllReduceConfigTest {
  @Test
  void defaults() {
    AllReduceConfig config = AllReduceConfig.from(Settings.empty());
    assertEquals(Duration.ofSeconds(60), config.timeout());
    assertEquals(4 << 20, config.chunkBytes());
    assertEquals(256L << 20, config.bucketBytes());
    assertEquals(WireType.F32, config.wireType());
    assertEquals(AllReduceConfig.defaults(), config);
  }

  @Test
  void readsEveryKey() {
    AllReduceConfig config =
        AllReduceConfig.from(
            Settings.of(
                Map.of(
                    "train.allreduce.timeout", "500ms",
                    "train.allreduce.chunk-bytes", "1MiB",
                    "train.allreduce.bucket-bytes", "64MiB",
                    "train.allreduce.wire-dtype", "F16")));
    assertEquals(Duration.ofMillis(500), config.timeout());
    assertEquals(1 << 20, config.chunkBytes());
    assertEquals(64L << 20, config.bucketBytes());
    assertEquals(WireType.F16, config.wireType());
    assertEquals(
        Duration.ofMinutes(2),
        AllReduceConfig.from(Settings.of(Map.of("train.allreduce.timeout", "2m"))).timeout());
    assertEquals(
        Duration.ofSeconds(90),
        AllReduceConfig.from(Settings.of(Map.of("train.allreduce.timeout", "90"))).timeout());
  }

  @Test
  void badValuesNameTheKey() {
    assertEquals(
        "Invalid train.allreduce.wire-dtype: 'bf16' (expected f32 or f16)",
        assertThrows(
                ConfigException.class,
                () ->
                    AllReduceConfig.from(Settings.of(Map.of("train.allreduce.wire-dtype", "bf16"))))
            .getMessage());
    assertEquals(
        "Invalid train.allreduce.timeout: '0s' (expected a positive duration such as 60s or"
            + " 500ms)",
        assertThrows(
                ConfigException.class,
                () -> AllReduceConfig.from(Settings.of(Map.of("train.allreduce.timeout", "0s"))))
            .getMessage());
    assertEquals(
        "Invalid train.allreduce.chunk-bytes: '100' (must be between 1KiB and 256MiB)",
        assertThrows(
                ConfigException.class,
                () ->
                    AllReduceConfig.from(Settings.of(Map.of("train.allreduce.chunk-bytes", "100"))))
            .getMessage());
    assertEquals(
        "Invalid train.allreduce.bucket-bytes: '2GiB' (must be between 4B and 1GiB)",
        assertThrows(
                ConfigException.class,
                () ->
                    AllReduceConfig.from(
                        Settings.of(Map.of("train.allreduce.bucket-bytes", "2GiB"))))
            .getMessage());
  }

  @Test
  void keysDeclareNamesAndDefaultsUnderOnePrefix() {
    assertEquals(
        java.util.List.of(
            "train.allreduce.timeout",
            "train.allreduce.chunk-bytes",
            "train.allreduce.bucket-bytes",
            "train.allreduce.wire-dtype"),
        AllReduceConfig.KEYS.names());
    assertEquals(java.util.List.of("train.allreduce"), AllReduceConfig.KEYS.prefixes());
    assertEquals("60s", AllReduceConfig.TIMEOUT.defaultText());
    assertEquals("f32", AllReduceConfig.WIRE_DTYPE.defaultText());
    assertEquals(4L << 20, AllReduceConfig.CHUNK_BYTES.defaultValue());
    assertEquals(256L << 20, AllReduceConfig.BUCKET_BYTES.defaultValue());
  }

  @Test
  void unknownKeyUnderThePrefixNamesTheClosestKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> AllReduceConfig.from(Settings.of(Map.of("train.allreduce.timout", "5s"))));
    assertTrue(
        e.getMessage()
            .startsWith(
                "Unknown configuration key 'train.allreduce.timout' (did you mean"
                    + " 'train.allreduce.timeout'?)"),
        e.getMessage());
    // Keys of other groups are not this class's business.
    assertEquals(
        AllReduceConfig.defaults(), AllReduceConfig.from(Settings.of(Map.of("train.steps", "10"))));
  }

  @Test
  void builderValidatesInBuild() {
    AllReduceConfig config =
        AllReduceConfig.builder()
            .optTimeout(Duration.ofSeconds(5))
            .optChunkBytes(2048)
            .optBucketBytes(4096)
            .optWireType(WireType.F16)
            .build();
    assertEquals(config, config.toBuilder().build());
    assertEquals(
        "Invalid all-reduce chunk size: 1026 bytes (must be a multiple of 4 for F32;"
            + " train.allreduce.chunk-bytes)",
        assertThrows(
                IllegalArgumentException.class,
                () -> AllReduceConfig.builder().optChunkBytes(1026).build())
            .getMessage());
    assertEquals(
        "Invalid all-reduce timeout: PT0S (must be > 0; train.allreduce.timeout)",
        assertThrows(
                IllegalArgumentException.class,
                () -> AllReduceConfig.builder().optTimeout(Duration.ZERO).build())
            .getMessage());
    assertEquals(
        "Invalid all-reduce bucket size: 2 bytes (must be 4..1073741824, well under the 2 GiB"
            + " buffer limit)",
        assertThrows(
                IllegalArgumentException.class,
                () -> AllReduceConfig.builder().optBucketBytes(2).build())
            .getMessage());
    // From a file, the same mistake is a ConfigException.
    assertThrows(
        ConfigException.class,
        () ->
            AllReduceConfig.from(
                Settings.of(
                    Map.of(
                        "train.allreduce.chunk-bytes", "1026",
                        "train.allreduce.wire-dtype", "f32"))));
  }

  @Test
  void peerAddressesParseAndPrint() {
    assertEquals(new PeerAddress("10.0.0.7", 41000), PeerAddress.parse("10.0.0.7:41000"));
    assertEquals(new PeerAddress("::1", 5000), PeerAddress.parse("[::1]:5000"));
    assertEquals("[::1]:5000", new PeerAddress("::1", 5000).toString());
    assertEquals(
        "Invalid peer address: 'host' (expected host:port)",
        assertThrows(IllegalArgumentException.class, () -> PeerAddress.parse("host")).getMessage());
    assertEquals(
        "Invalid peer port: 70000 (must be 1..65535)",
        assertThrows(IllegalArgumentException.class, () -> PeerAddress.parse("host:70000"))
            .getMessage());
  }
}
