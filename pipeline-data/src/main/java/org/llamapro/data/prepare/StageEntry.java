package org.llamapro.data.prepare;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Arrays;
import org.llamapro.data.stage.StageReport;
import org.llamapro.io.JsonFiles;

/**
 * A stage in {@code summary.json}: its time, whether an earlier run had already done it, and its
 * report, written as one object ({@code {"seconds": 1.2, "resumed": false, "documents": ...}}).
 * When the report has its own {@code seconds} (pack), that value is the one written.
 *
 * @param <R> the stage's report record
 */
@JsonSerialize(using = StageEntry.Writer.class)
@JsonDeserialize(using = StageEntry.Reader.class)
public record StageEntry<R extends StageReport>(double seconds, boolean resumed, R report) {
  private static final String SECONDS = "seconds";
  private static final String RESUMED = "resumed";

  static final class Writer extends StdSerializer<StageEntry<?>> {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("unchecked")
    Writer() {
      super((Class<StageEntry<?>>) (Class<?>) StageEntry.class);
    }

    @Override
    public void serialize(StageEntry<?> entry, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.put(SECONDS, entry.seconds());
      node.put(RESUMED, entry.resumed());
      // The report as its record maps it (the mapper every typed file uses).
      JsonNode report = JsonFiles.MAPPER.valueToTree(entry.report());
      node.setAll((ObjectNode) report);
      gen.writeTree(node);
    }
  }

  static final class Reader extends JsonDeserializer<StageEntry<?>>
      implements ContextualDeserializer {
    private final JavaType reportType;

    Reader() {
      this(null);
    }

    private Reader(JavaType reportType) {
      this.reportType = reportType;
    }

    @Override
    public JsonDeserializer<?> createContextual(
        DeserializationContext ctxt, BeanProperty property) {
      JavaType type = property != null ? property.getType() : ctxt.getContextualType();
      return new Reader(type.containedType(0));
    }

    @Override
    public StageEntry<?> deserialize(JsonParser parser, DeserializationContext ctxt)
        throws IOException {
      JsonNode tree = ctxt.readTree(parser);
      if (!(tree instanceof ObjectNode node)) {
        return ctxt.reportInputMismatch(this, "expected an object for a stage, got %s", tree);
      }
      for (String field : new String[] {SECONDS, RESUMED}) {
        if (!node.has(field)) {
          return ctxt.reportInputMismatch(this, "Missing required creator property '%s'", field);
        }
      }
      double seconds = node.get(SECONDS).asDouble();
      boolean resumed = node.get(RESUMED).asBoolean();
      ObjectNode report = node.deepCopy();
      report.remove(RESUMED);
      boolean ownSeconds =
          Arrays.stream(reportType.getRawClass().getRecordComponents())
              .anyMatch(c -> c.getName().equals(SECONDS));
      if (!ownSeconds) {
        report.remove(SECONDS);
      }
      StageReport value = ctxt.readTreeAsValue(report, reportType);
      return new StageEntry<>(seconds, resumed, value);
    }
  }
}
