package org.llamapro.tools.corpus;

import java.util.List;

/**
 * One row of the The-Stack-Dedup-shaped Parquet file. {@code maxStarsCount} is null: the demo
 * corpus does not invent GitHub figures it cannot know.
 */
record StackRow(
    String content,
    String hexsha,
    long size,
    String ext,
    String lang,
    String maxStarsRepoPath,
    String maxStarsRepoName,
    Long maxStarsCount,
    List<String> maxStarsRepoLicenses,
    double avgLineLength,
    long maxLineLength,
    double alphanumFraction)
    implements CorpusDoc {

  /** Computes the derived columns the way The Stack defines them. */
  static StackRow of(String content, String repoName, String repoPath, List<String> licenses) {
    List<String> lines = content.lines().toList();
    long maxLine = 0;
    long totalLine = 0;
    for (String line : lines) {
      maxLine = Math.max(maxLine, line.length());
      totalLine += line.length();
    }
    long alphanumeric = content.chars().filter(Character::isLetterOrDigit).count();
    String ext = repoPath.substring(repoPath.lastIndexOf('.') + 1);
    return new StackRow(
        content,
        CorpusText.gitBlobSha1(content),
        CorpusText.utf8Length(content),
        ext,
        "Python",
        repoPath,
        repoName,
        null,
        List.copyOf(licenses),
        lines.isEmpty() ? 0.0 : (double) totalLine / lines.size(),
        maxLine,
        content.isEmpty() ? 0.0 : (double) alphanumeric / content.length());
  }

  @Override
  public String text() {
    return content;
  }
}
