package org.llamapro.train.expand;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Which old block each block of the expanded model comes from, and which blocks are new. For
 * LLaMA-2-7B, 32 -> 40 interleaved: groups of 4, new blocks at 4, 9, 14, 19, 24, 29, 34, 39.
 *
 * @param sources for each new block index, the old block it is made from
 * @param added for each new block index, whether it is a new (inserted) block
 */
public record ExpansionPlan(
    int oldLayers, int newLayers, Placement placement, List<Integer> sources, List<Boolean> added) {

  public ExpansionPlan {
    requireNonNull(placement, "placement is null");
    sources = List.copyOf(sources);
    added = List.copyOf(added);
  }

  public static ExpansionPlan of(int oldLayers, int newLayers, Placement placement) {
    if (oldLayers <= 0) {
      throw new IllegalArgumentException("Invalid model: it has " + oldLayers + " blocks");
    }
    if (newLayers <= oldLayers) {
      throw new IllegalArgumentException(
          "--layers must be greater than the model's " + oldLayers + " blocks, got " + newLayers);
    }
    int added = newLayers - oldLayers;
    List<Integer> sources = new ArrayList<>();
    List<Boolean> isNew = new ArrayList<>();
    switch (placement) {
      case INTERLEAVE -> {
        if (oldLayers % added != 0) {
          throw new IllegalArgumentException(
              "--placement interleave needs the "
                  + oldLayers
                  + " blocks to split into "
                  + added
                  + " equal groups (one new block per group), but "
                  + oldLayers
                  + " is not a multiple of "
                  + added
                  + "; choose --layers "
                  + suggestions(oldLayers)
                  + " or another placement");
        }
        int group = oldLayers / added;
        for (int old = 0; old < oldLayers; old++) {
          sources.add(old);
          isNew.add(false);
          if ((old + 1) % group == 0) {
            sources.add(old);
            isNew.add(true);
          }
        }
      }
      case TOP -> {
        requireStackable(oldLayers, added, placement);
        for (int old = 0; old < oldLayers; old++) {
          sources.add(old);
          isNew.add(false);
        }
        for (int i = 0; i < added; i++) {
          sources.add(oldLayers - added + i);
          isNew.add(true);
        }
      }
      case BOTTOM -> {
        requireStackable(oldLayers, added, placement);
        for (int i = 0; i < added; i++) {
          sources.add(i);
          isNew.add(true);
        }
        for (int old = 0; old < oldLayers; old++) {
          sources.add(old);
          isNew.add(false);
        }
      }
    }
    return new ExpansionPlan(oldLayers, newLayers, placement, sources, isNew);
  }

  /** Indices of the new blocks in the expanded model, ascending. */
  public List<Integer> newBlockIndices() {
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < added.size(); i++) {
      if (added.get(i)) {
        indices.add(i);
      }
    }
    return indices;
  }

  private static void requireStackable(int oldLayers, int added, Placement placement) {
    if (added > oldLayers) {
      throw new IllegalArgumentException(
          "--placement "
              + placement
              + " copies one existing block per new block, so it can add at most "
              + oldLayers
              + " blocks to this model, not "
              + added);
    }
  }

  private static String suggestions(int oldLayers) {
    List<String> valid = new ArrayList<>();
    for (int added = 1; added <= oldLayers && valid.size() < 4; added++) {
      if (oldLayers % added == 0) {
        valid.add(String.valueOf(oldLayers + added));
      }
    }
    return String.join(", ", valid);
  }
}
