package org.llamapro.data.inspect;

/**
 * A document put back together from its segments in consecutive rows: its ids include the BOS and
 * EOS that packing added; {@code complete} is false for a document cut off by a dropped tail.
 */
public record ShardDocument(String split, String id, String source, int[] ids, boolean complete) {

  /** The document's own ids: without the leading BOS and the trailing EOS added by packing. */
  public int[] bodyIds(boolean bosAdded) {
    int from =
        bosAdded && ids.length > 0 && ids[0] == org.llamapro.data.tokenize.LlamaTokenizer.BOS_ID
            ? 1
            : 0;
    int to = complete ? ids.length - 1 : ids.length;
    return java.util.Arrays.copyOfRange(ids, from, Math.max(from, to));
  }
}
