package org.llamapro.data.prepare;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a stage reports into {@code summary.json}: named counts, in insertion order. */
public final class StageReport {
  private final LinkedHashMap<String, Object> values = new LinkedHashMap<>();

  public StageReport put(String key, Object value) {
    values.put(key, value);
    return this;
  }

  public Object get(String key) {
    return values.get(key);
  }

  /** A count reported under {@code key}, or 0 when absent (e.g. read back from a marker). */
  public long getLong(String key) {
    Object value = values.get(key);
    return value instanceof Number number ? number.longValue() : 0L;
  }

  public Map<String, Object> asMap() {
    return Collections.unmodifiableMap(values);
  }

  static StageReport of(Map<String, Object> values) {
    StageReport report = new StageReport();
    report.values.putAll(values);
    return report;
  }
}
