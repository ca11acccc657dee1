package org.llamapro.data.dedupe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.llamapro.hash.Hash64;
import org.llamapro.hash.Sha256;

/** The per-row work of dedupe, as small serializable functions that tasks run. */
final class DedupeFunctions {
  /** (id, source, norm_hash, permissive, stars): what exact dedupe and the keep policy need. */
  static final StructType KEYS =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("source", DataTypes.StringType, false)
          .add("norm_hash", DataTypes.StringType, false)
          .add(KeepPolicy.PERMISSIVE, DataTypes.BooleanType, true)
          .add(KeepPolicy.STARS, DataTypes.LongType, true);

  /** (id, signature): the MinHash signature, or null for a text without shingles. */
  static final StructType SIGNATURES =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("signature", DataTypes.createArrayType(DataTypes.LongType, false), true);

  /** (band, bucket, node, is_ref): one row per band of a signature. */
  static final StructType BANDS =
      new StructType()
          .add("band", DataTypes.IntegerType, false)
          .add("bucket", DataTypes.LongType, false)
          .add("node", DataTypes.StringType, false)
          .add("is_ref", DataTypes.BooleanType, false);

  private DedupeFunctions() {}

  /** Rows (id, source, text, meta) to {@link #KEYS}. */
  static final class Keys implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final TextNormalizer normalizer;
    private final KeepPolicy policy;

    Keys(TextNormalizer normalizer, KeepPolicy policy) {
      this.normalizer = normalizer;
      this.policy = policy;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      ObjectMapper mapper = JsonMapper.builder().build();
      return new MappedIterator<>(
          rows,
          row -> {
            Object[] keep = policy.attributes(row.getString(3), mapper);
            return RowFactory.create(
                row.getString(0),
                row.getString(1),
                Sha256.hex(normalizer.normalize(row.getString(2))),
                keep[0],
                keep[1]);
          });
    }
  }

  /** Rows (id, text) to {@link #SIGNATURES}. */
  static final class Signatures implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Shingler shingler;
    private final MinHasher hasher;

    Signatures(Shingler shingler, MinHasher hasher) {
      this.shingler = shingler;
      this.hasher = hasher;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return new MappedIterator<>(
          rows,
          row -> {
            long[] shingles = shingler.shingles(row.getString(1));
            return RowFactory.create(
                row.getString(0), shingles.length == 0 ? null : boxed(hasher.signature(shingles)));
          });
    }
  }

  /** Rows (node, signature, is_ref) to {@link #BANDS}: one row per band. */
  static final class Bands implements FlatMapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final int bands;
    private final int rows;

    Bands(int bands, int rows) {
      this.bands = bands;
      this.rows = rows;
    }

    @Override
    public Iterator<Row> call(Row row) {
      long[] signature = unboxed(row.getList(1));
      List<Row> out = new ArrayList<>(bands);
      for (int band = 0; band < bands; band++) {
        out.add(
            RowFactory.create(
                band,
                Hash64.ofSequence(signature, band * rows, rows),
                row.getString(0),
                row.getBoolean(2)));
      }
      return out.iterator();
    }
  }

  /**
   * Rows (a, b, sig_a, sig_b, text_a, text_b) to (a, b, similarity): exact Jaccard of the shingle
   * sets when both texts are present, else the MinHash estimate.
   */
  static final class Similarity implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Shingler shingler;

    Similarity(Shingler shingler) {
      this.shingler = shingler;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return new MappedIterator<>(
          rows,
          row -> {
            double similarity;
            if (!row.isNullAt(4) && !row.isNullAt(5)) {
              similarity =
                  Shingler.jaccard(
                      shingler.shingles(row.getString(4)), shingler.shingles(row.getString(5)));
            } else {
              similarity =
                  MinHasher.estimateJaccard(unboxed(row.getList(2)), unboxed(row.getList(3)));
            }
            return RowFactory.create(row.getString(0), row.getString(1), similarity);
          });
    }
  }

  /** A Scala sequence, as Spark's row encoder wants for an array column. */
  static scala.collection.Seq<Long> boxed(long[] values) {
    List<Long> list = new ArrayList<>(values.length);
    for (long value : values) {
      list.add(value);
    }
    return scala.jdk.javaapi.CollectionConverters.asScala(list);
  }

  static long[] unboxed(List<Long> values) {
    long[] array = new long[values.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = values.get(i);
    }
    return array;
  }

  /** A lazy map over an iterator (Spark's partitions stream through, never held whole). */
  static final class MappedIterator<T> implements Iterator<Row> {
    private final Iterator<T> source;
    private final java.util.function.Function<T, Row> mapper;

    MappedIterator(Iterator<T> source, java.util.function.Function<T, Row> mapper) {
      this.source = source;
      this.mapper = mapper;
    }

    @Override
    public boolean hasNext() {
      return source.hasNext();
    }

    @Override
    public Row next() {
      return mapper.apply(source.next());
    }
  }
}
