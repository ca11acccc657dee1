package org.llamapro.data.pack;

import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.unsafe.Platform;

/**
 * A document's contribution to the input fingerprint in manifest.json: Spark SQL's {@code
 * xxhash64(id, content_hash)}, computed in the tokenize tasks instead of a separate pass; the
 * fingerprint is the XOR over all documents.
 */
final class Fingerprint {
  private static final long SPARK_HASH_SEED = 42;

  private Fingerprint() {}

  static long of(String id, String contentHash) {
    long hash = utf8(id, SPARK_HASH_SEED);
    return contentHash == null ? hash : utf8(contentHash, hash);
  }

  private static long utf8(String value, long seed) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    return XXH64.hashUnsafeBytes(bytes, Platform.BYTE_ARRAY_OFFSET, bytes.length, seed);
  }
}
