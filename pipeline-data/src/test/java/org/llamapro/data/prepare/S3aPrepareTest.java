package org.llamapro.data.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.llamapro.data.TestCorpus.document;
import static org.llamapro.data.TestCorpus.json;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.config.Settings;
import org.llamapro.data.TestCorpus;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.stage.Tables;

/** Prepare end to end with input and output on s3a://, against s3proxy on loopback. */
class S3aPrepareTest {
  @TempDir static Path temp;
  private static S3Proxy proxy;
  private static BlobStoreContext blobs;
  private static SparkSession spark;

  @BeforeAll
  static void startS3() throws Exception {
    blobs =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .overrides(new Properties())
            .build(BlobStoreContext.class);
    BlobStore store = blobs.getBlobStore();
    store.createContainerInLocation(null, "corpus");
    proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test-access", "test-secret")
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(10);
    }
    spark = SparkSessions.smallLocal("S3aPrepareTest");
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort());
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.connection.ssl.enabled", "false");
    conf.set(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.access.key", "test-access");
    conf.set("fs.s3a.secret.key", "test-secret");
    conf.set("fs.s3a.change.detection.mode", "none");
  }

  @AfterAll
  static void stop() throws Exception {
    spark.stop();
    proxy.stop();
    blobs.close();
  }

  @Test
  void readsAndWritesS3a() throws Exception {
    String text = document(31, 30);
    Path local = temp.resolve("part-0.jsonl.zst");
    TestCorpus.writeLines(
        local,
        List.of(
            json(Map.of("text", text)),
            json(Map.of("text", text)),
            json(Map.of("text", document(32, 30))),
            "not json"));
    FileSystem fs =
        FileSystem.get(URI.create("s3a://corpus/"), spark.sparkContext().hadoopConfiguration());
    fs.copyFromLocalFile(
        new org.apache.hadoop.fs.Path(local.toUri()),
        new org.apache.hadoop.fs.Path("s3a://corpus/in/open-web-math/train/part-0.jsonl.zst"));

    PrepareSummary summary =
        PreparePipeline.builder()
            .setSpark(spark)
            .setSettings(
                Settings.of(
                    Map.of(
                        "ingest.input.open-web-math", "s3a://corpus/in/open-web-math",
                        "ingest.max-bad-fraction", "0.5",
                        "prepare.output", "s3a://corpus/out")))
            .build()
            .run();

    Tables tables = new Tables(spark);
    List<Row> clean = tables.read("s3a://corpus/out/clean").orderBy("id").collectAsList();
    assertEquals(2, clean.size());
    assertEquals("open-web-math/train/part-0.jsonl.zst#1", clean.get(0).getAs("id"));
    Row removed = tables.read("s3a://corpus/out/dedupe/audit").first();
    assertEquals("open-web-math/train/part-0.jsonl.zst#2", removed.getAs("id"));
    assertEquals("not-json", tables.read("s3a://corpus/out/quarantine").first().getAs("reason"));
    assertEquals("s3a://corpus/out", summary.output());
    assertEquals(true, fs.exists(new org.apache.hadoop.fs.Path("s3a://corpus/out/summary.json")));
  }
}
