package org.llamapro.data.decontam;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One evaluation set to decontaminate against: its name, its file or folder (Hugging Face JSON
 * Lines or Parquet), the fields whose text is matched, and the field that names an item.
 */
public record EvalSetSpec(String name, String path, List<String> fields, String idField)
    implements Serializable {

  /** Fields and id field of well-known sets, in their Hugging Face layout. */
  record Defaults(List<String> fields, String idField) {}

  static final Map<String, Defaults> KNOWN =
      Map.of(
          "humaneval", new Defaults(List.of("prompt", "canonical_solution", "test"), "task_id"),
          "openai_humaneval",
              new Defaults(List.of("prompt", "canonical_solution", "test"), "task_id"),
          "mbpp", new Defaults(List.of("text", "code", "test_list"), "task_id"),
          "gsm8k", new Defaults(List.of("question", "answer"), null),
          "math", new Defaults(List.of("problem", "solution"), null),
          "hendrycks_math", new Defaults(List.of("problem", "solution"), null),
          "competition_math", new Defaults(List.of("problem", "solution"), null));

  public EvalSetSpec {
    requireNonNull(name, "name is null");
    requireNonNull(path, "path is null");
    fields = List.copyOf(fields);
  }

  static Defaults defaultsFor(String name) {
    return KNOWN.get(name.toLowerCase(Locale.ROOT));
  }
}
