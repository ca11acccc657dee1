package org.llamapro.data.dedupe;

import java.util.Map;
import org.llamapro.data.stage.StageReport;

/**
 * What dedupe removed. The exact and near counts are null when that step is disabled ({@code
 * dedupe.exact.enabled}, {@code dedupe.near.enabled}).
 *
 * @param removedPerSource source to reason ({@code exact}, {@code near}) to removed documents
 */
public record DedupeReport(
    long documents,
    Long exactRemoved,
    Long nearRemoved,
    Long nearWithoutShingles,
    Long nearCandidateEdges,
    Long nearVerifiedEdges,
    Long nearComponentDocuments,
    Integer nearCcRounds,
    long removed,
    Map<String, Map<String, Long>> removedPerSource)
    implements StageReport {}
