package org.llamapro.data.decontam;

import java.util.Map;
import org.llamapro.data.stage.StageReport;

/**
 * What decontamination removed, per evaluation set and per source, and the size of the n-gram index
 * it matched against.
 *
 * @param evalItems items loaded per evaluation set
 * @param itemsTooShort items with fewer words than {@code ngram}, which cannot match
 */
public record DecontamReport(
    long removed,
    Map<String, Long> removedPerEvalSet,
    Map<String, Long> removedPerSource,
    Map<String, Integer> evalItems,
    int ngram,
    long distinctNgrams,
    long itemsTooShort)
    implements StageReport {}
