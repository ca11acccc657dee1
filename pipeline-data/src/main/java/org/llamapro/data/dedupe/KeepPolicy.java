package org.llamapro.data.dedupe;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.llamapro.config.ConfigException;

/**
 * Which document of a duplicate group survives. Documents are ordered by the configured criteria
 * ({@code dedupe.keep.order}, default {@code permissive-license,stars,id}) and the first is kept: a
 * permissive licence first, then more stars, then the lowest id. Documents without licence or stars
 * metadata (everything but The Stack) tie on those, so for them the lowest id wins. The id is
 * always the final tie-break, so the choice is deterministic.
 */
public final class KeepPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Column names of the keep attributes in the dedupe working tables. */
  public static final String PERMISSIVE = "permissive";

  public static final String STARS = "stars";

  /** One ordering criterion. */
  public enum Criterion {
    PERMISSIVE_LICENSE,
    STARS,
    ID;

    String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final List<Criterion> order;
  private final String licenseField;
  private final String starsField;
  private final List<String> permissiveLicenses;

  public KeepPolicy(
      List<Criterion> order,
      String licenseField,
      String starsField,
      List<String> permissiveLicenses) {
    List<Criterion> full = new ArrayList<>(order);
    full.remove(Criterion.ID);
    full.add(Criterion.ID);
    this.order = List.copyOf(full);
    this.licenseField = licenseField;
    this.starsField = starsField;
    this.permissiveLicenses =
        permissiveLicenses.stream().map(l -> l.toLowerCase(Locale.ROOT)).toList();
  }

  static List<Criterion> parseOrder(String key, List<String> names) {
    List<Criterion> order = new ArrayList<>();
    for (String name : names) {
      Criterion found = null;
      for (Criterion criterion : Criterion.values()) {
        if (criterion.configName().equals(name)) {
          found = criterion;
        }
      }
      if (found == null) {
        throw new ConfigException(
            "Invalid " + key + ": '" + name + "' (expected any of permissive-license, stars, id)");
      }
      order.add(found);
    }
    return order;
  }

  public List<Criterion> order() {
    return order;
  }

  /** The ordering columns: the first row in this order is kept. */
  public List<Column> sortColumns(String idColumn) {
    List<Column> columns = new ArrayList<>();
    for (Criterion criterion : order) {
      columns.add(
          switch (criterion) {
            case PERMISSIVE_LICENSE -> col(PERMISSIVE).desc_nulls_last();
            case STARS -> col(STARS).desc_nulls_last();
            case ID -> col(idColumn).asc();
          });
    }
    return columns;
  }

  /** Whether the meta JSON names a permissive licence (an array or a single string). */
  public boolean isPermissive(JsonNode meta) {
    JsonNode licenses = meta.get(licenseField);
    if (licenses == null || licenses.isNull()) {
      return false;
    }
    if (licenses.isArray()) {
      for (JsonNode license : licenses) {
        if (license.isTextual() && matches(license.textValue())) {
          return true;
        }
      }
      return false;
    }
    return licenses.isTextual() && matches(licenses.textValue());
  }

  /** The star count in the meta JSON, or null. */
  public Long stars(JsonNode meta) {
    JsonNode stars = meta.get(starsField);
    return stars != null && stars.isNumber() ? stars.longValue() : null;
  }

  /** Reads the keep attributes from a meta JSON string: {permissive, stars}. */
  Object[] attributes(String meta, ObjectMapper mapper) {
    if (meta == null || (!meta.contains(licenseField) && !meta.contains(starsField))) {
      return new Object[] {null, null};
    }
    try {
      JsonNode node = mapper.readTree(meta);
      return new Object[] {isPermissive(node), stars(node)};
    } catch (IOException e) {
      return new Object[] {null, null};
    }
  }

  private boolean matches(String license) {
    String lower = license.toLowerCase(Locale.ROOT).trim();
    for (String pattern : permissiveLicenses) {
      if (pattern.endsWith("*")
          ? lower.startsWith(pattern.substring(0, pattern.length() - 1))
          : lower.equals(pattern)) {
        return true;
      }
    }
    return false;
  }
}
