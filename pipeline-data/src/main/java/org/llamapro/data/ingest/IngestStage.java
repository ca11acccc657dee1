package org.llamapro.data.ingest;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.spark.SerializableHadoopConf;
import org.llamapro.data.stage.OutputLayout;
import org.llamapro.data.stage.PrepareStage;
import org.llamapro.data.stage.StageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest: reads every input file once and writes {@code documents/} (good records) and {@code
 * quarantine/} (bad ones, with location and reason). Fails after writing both when the bad fraction
 * exceeds {@code ingest.max-bad-fraction}.
 */
public final class IngestStage implements PrepareStage<IngestReport> {
  public static final String NAME = "ingest";
  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);
  private static final int FIRST_BAD_SHOWN = 5;

  private final IngestOptions options;
  private Map<String, InputListing.Listing> listings;

  public IngestStage(IngestOptions options) {
    this.options = requireNonNull(options, "options is null");
  }

  public static IngestStage from(Settings settings) {
    return new IngestStage(IngestOptions.from(settings));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<IngestReport> reportType() {
    return IngestReport.class;
  }

  @Override
  public ConfigKeys configKeys() {
    return IngestOptions.KEYS;
  }

  @Override
  public String fingerprintInputs(StageContext context) {
    StringBuilder text = new StringBuilder();
    for (InputListing.Listing listing : listings(context.spark()).values()) {
      for (InputFile file : listing.files()) {
        text.append(file.uri())
            .append('\t')
            .append(file.length())
            .append('\t')
            .append(file.modificationTime())
            .append('\n');
      }
    }
    return text.toString();
  }

  @Override
  public List<String> outputs(OutputLayout layout) {
    return List.of(layout.documents(), layout.quarantine());
  }

  @Override
  public IngestReport run(StageContext context) {
    SparkSession spark = context.spark();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    SerializableHadoopConf conf =
        new SerializableHadoopConf(spark.sparkContext().hadoopConfiguration());

    List<InputFile> lineFiles = new ArrayList<>();
    List<InputFile> parquetFiles = new ArrayList<>();
    Map<String, long[]> filesPerSource = new TreeMap<>();
    List<String> ignored = new ArrayList<>();
    for (Map.Entry<String, InputListing.Listing> entry : listings(spark).entrySet()) {
      long inputBytes = 0;
      for (InputFile file : entry.getValue().files()) {
        (file.format() == InputFile.Format.PARQUET ? parquetFiles : lineFiles).add(file);
        inputBytes += file.length();
      }
      filesPerSource.put(entry.getKey(), new long[] {entry.getValue().files().size(), inputBytes});
      ignored.addAll(entry.getValue().ignored());
    }
    if (!ignored.isEmpty()) {
      LOG.warn(
          "ingest: ignoring {} file(s) that are not .parquet/.jsonl/.jsonl.gz/.jsonl.zst, e.g. {}",
          ignored.size(),
          ignored.subList(0, Math.min(3, ignored.size())));
    }
    LOG.info(
        "ingest: {} JSON Lines and {} Parquet file(s) from sources {}",
        lineFiles.size(),
        parquetFiles.size(),
        options.inputs().keySet());

    // Footers first: a Parquet file that cannot even be opened is quarantined, not read.
    List<Row> extraBad = new ArrayList<>();
    List<InputFile> readableParquet = new ArrayList<>();
    Map<String, Long> expectedRows = new TreeMap<>();
    Map<String, InputFile> parquetByUri = new TreeMap<>();
    parquetFiles.forEach(f -> parquetByUri.put(f.uri(), f));
    for (ParquetIngest.Footer footer : ParquetIngest.checkFooters(jsc, parquetFiles, conf)) {
      InputFile file = parquetByUri.get(footer.uri());
      if (footer.error() != null) {
        extraBad.add(
            RecordBuilder.bad(
                file,
                0,
                QuarantineReason.UNREADABLE_PARQUET,
                "cannot read Parquet footer: " + footer.error(),
                null));
      } else {
        readableParquet.add(file);
        expectedRows.put(file.uri(), footer.rows());
      }
    }

    Dataset<Row> records = null;
    if (!lineFiles.isEmpty()) {
      JavaRDD<Row> rows =
          jsc.parallelize(lineFiles, lineFiles.size())
              .flatMap(
                  new JsonLinesReader(conf, options.jsonlTextField(), options.maxDocumentBytes()));
      records = spark.createDataFrame(rows, IngestColumns.RECORD);
    }
    if (!readableParquet.isEmpty()) {
      Dataset<Row> parquet =
          ParquetIngest.read(spark, readableParquet, options.parquetTextColumn());
      records = records == null ? parquet : records.unionByName(parquet);
    }
    if (records == null) {
      records = spark.createDataFrame(List.of(), IngestColumns.RECORD);
    }
    // Read the input once: both tables and the counts come from this copy.
    records = records.persist(StorageLevel.DISK_ONLY());
    try {
      if (!expectedRows.isEmpty()) {
        extraBad.addAll(missingParquetRows(records, expectedRows, parquetByUri));
      }
      Dataset<Row> extra = spark.createDataFrame(extraBad, IngestColumns.RECORD);

      LOG.info("ingest: reading input and writing {}", context.layout().documents());
      context
          .tables()
          .write(
              records
                  .filter(col(IngestColumns.REASON).isNull())
                  .select(
                      DocumentColumns.SCHEMA.fieldNames()[0],
                      rest(DocumentColumns.SCHEMA.fieldNames())),
              context.layout().documents());
      Dataset<Row> bad =
          records
              .unionByName(extra)
              .filter(
                  col(IngestColumns.REASON)
                      .isNotNull()
                      .and(col(IngestColumns.REASON).notEqual(QuarantineReason.BLANK_LINE)));
      String[] quarantineColumns = IngestColumns.QUARANTINE.fieldNames();
      context
          .tables()
          .write(
              bad.select(quarantineColumns[0], rest(quarantineColumns)).orderBy(DocumentColumns.ID),
              context.layout().quarantine());
      return report(records.unionByName(extra), filesPerSource, ignored.size(), context);
    } finally {
      records.unpersist();
    }
  }

  /** {@code filesPerSource}: source to {files, input bytes}. */
  private IngestReport report(
      Dataset<Row> records,
      Map<String, long[]> filesPerSource,
      int ignoredFiles,
      StageContext context) {
    List<Row> counts =
        records
            .groupBy(col(DocumentColumns.SOURCE), col(IngestColumns.REASON))
            .agg(count("*").as("n"), sum(IngestColumns.BYTES).as("bytes"))
            .collectAsList();
    // Per source: documents, bytes, bad records, blank lines.
    Map<String, long[]> perSource = new TreeMap<>();
    filesPerSource.keySet().forEach(source -> perSource.put(source, new long[4]));
    Map<String, Long> badByReason = new TreeMap<>();
    long documents = 0;
    long bytes = 0;
    long bad = 0;
    long blankLines = 0;
    for (Row row : counts) {
      String source = row.getString(0);
      String reason = row.getString(1);
      long n = row.getLong(2);
      long[] entry = perSource.computeIfAbsent(source, s -> new long[4]);
      if (reason == null) {
        documents += n;
        bytes += row.getLong(3);
        entry[0] += n;
        entry[1] += row.getLong(3);
      } else if (reason.equals(QuarantineReason.BLANK_LINE)) {
        blankLines += n;
        entry[3] += n;
      } else {
        bad += n;
        badByReason.merge(reason, n, Long::sum);
        entry[2] += n;
      }
    }
    double badFraction = documents + bad == 0 ? 0 : (double) bad / (documents + bad);
    LOG.info(
        "ingest: {} documents ({} bytes), {} bad records ({}), {} blank lines",
        documents,
        bytes,
        bad,
        badByReason,
        blankLines);
    if (badFraction > options.maxBadFraction()) {
      throw new BadInputException(
          String.format(
              java.util.Locale.ROOT,
              "Too much bad input: %d bad record(s) of %d (%.4f > %s=%s); by reason %s; see %s."
                  + " First bad records: %s",
              bad,
              documents + bad,
              badFraction,
              IngestOptions.MAX_BAD_FRACTION.name(),
              options.maxBadFraction(),
              badByReason,
              context.layout().quarantine(),
              firstBad(context)));
    }
    Map<String, IngestReport.Source> sources = new TreeMap<>();
    perSource.forEach(
        (source, c) -> {
          long[] files = filesPerSource.getOrDefault(source, new long[2]);
          sources.put(source, new IngestReport.Source(files[0], files[1], c[0], c[1], c[2], c[3]));
        });
    return new IngestReport(
        documents, bytes, bad, badFraction, badByReason, blankLines, ignoredFiles, sources);
  }

  private List<String> firstBad(StageContext context) {
    List<String> shown = new ArrayList<>();
    for (Row row :
        context
            .tables()
            .read(context.layout().quarantine())
            .orderBy(DocumentColumns.ID)
            .limit(FIRST_BAD_SHOWN)
            .collectAsList()) {
      shown.add(
          row.getAs(DocumentColumns.FILE)
              + " at "
              + row.getAs(IngestColumns.POSITION)
              + ": "
              + row.getAs(IngestColumns.REASON)
              + " ("
              + row.getAs(IngestColumns.DETAIL)
              + ")");
    }
    return shown;
  }

  /** Rows a Parquet file's footer promises but Spark could not deliver (a damaged page). */
  private static List<Row> missingParquetRows(
      Dataset<Row> records, Map<String, Long> expectedRows, Map<String, InputFile> parquetByUri) {
    List<Row> bad = new ArrayList<>();
    Map<String, Long> seen = new TreeMap<>();
    for (Row row :
        records
            .filter(col(DocumentColumns.FILE).isin(expectedRows.keySet().toArray()))
            .groupBy(DocumentColumns.FILE)
            .count()
            .collectAsList()) {
      seen.put(row.getString(0), row.getLong(1));
    }
    for (Map.Entry<String, Long> entry : expectedRows.entrySet()) {
      long read = seen.getOrDefault(entry.getKey(), 0L);
      if (read < entry.getValue()) {
        InputFile file = parquetByUri.get(entry.getKey());
        bad.add(
            RowFactory.create(
                file.idOf(read),
                file.source(),
                file.uri(),
                read,
                null,
                null,
                null,
                0L,
                QuarantineReason.UNREADABLE_PARQUET,
                "read "
                    + read
                    + " of the "
                    + entry.getValue()
                    + " rows the footer declares; the rest is unreadable",
                null));
      }
    }
    return bad;
  }

  private Map<String, InputListing.Listing> listings(SparkSession spark) {
    if (listings == null) {
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      Map<String, InputListing.Listing> all = new TreeMap<>();
      for (Map.Entry<String, String> input : options.inputs().entrySet()) {
        InputListing.Listing listing = InputListing.list(input.getKey(), input.getValue(), conf);
        if (listing.files().isEmpty()) {
          throw new org.llamapro.config.ConfigException(
              "No input files for source '"
                  + input.getKey()
                  + "' under "
                  + input.getValue()
                  + " (expected .parquet, .jsonl, .jsonl.gz or .jsonl.zst files)");
        }
        all.put(input.getKey(), listing);
      }
      listings = all;
    }
    return listings;
  }

  private static String[] rest(String[] names) {
    return java.util.Arrays.copyOfRange(names, 1, names.length);
  }
}
