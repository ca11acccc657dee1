package org.llamapro.train.expand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExpansionPlanTest {
  @Test
  void paperLayoutFor32To40() {
    ExpansionPlan plan = ExpansionPlan.of(32, 40, Placement.INTERLEAVE);
    assertEquals(List.of(4, 9, 14, 19, 24, 29, 34, 39), plan.newBlockIndices());
    // Each new block copies the last block of its group.
    assertEquals(3, plan.sources().get(4));
    assertEquals(31, plan.sources().get(39));
    assertEquals(4, plan.sources().get(5));
  }

  @Test
  void interleaveSmallCases() {
    assertEquals(List.of(0, 1, 2, 3, 3), ExpansionPlan.of(4, 5, Placement.INTERLEAVE).sources());
    assertEquals(List.of(4), ExpansionPlan.of(4, 5, Placement.INTERLEAVE).newBlockIndices());
    assertEquals(
        List.of(0, 1, 2, 3, 3, 4, 5, 6, 7, 7),
        ExpansionPlan.of(8, 10, Placement.INTERLEAVE).sources());
    assertEquals(
        List.of(1, 3, 5, 7, 9, 11, 13, 15),
        ExpansionPlan.of(8, 16, Placement.INTERLEAVE).newBlockIndices());
  }

  @Test
  void topAndBottomStackCopies() {
    ExpansionPlan top = ExpansionPlan.of(8, 10, Placement.TOP);
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 6, 7), top.sources());
    assertEquals(List.of(8, 9), top.newBlockIndices());
    ExpansionPlan bottom = ExpansionPlan.of(8, 10, Placement.BOTTOM);
    assertEquals(List.of(0, 1, 0, 1, 2, 3, 4, 5, 6, 7), bottom.sources());
    assertEquals(List.of(0, 1), bottom.newBlockIndices());
  }

  @Test
  void refusesFewerLayers() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ExpansionPlan.of(32, 32, Placement.INTERLEAVE));
    assertEquals("--layers must be greater than the model's 32 blocks, got 32", e.getMessage());
  }

  @Test
  void refusesUnequalGroups() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ExpansionPlan.of(32, 39, Placement.INTERLEAVE));
    assertEquals(
        "--placement interleave needs the 32 blocks to split into 7 equal groups (one new block per"
            + " group), but 32 is not a multiple of 7; choose --layers 33, 34, 36, 40 or another"
            + " placement",
        e.getMessage());
  }

  @Test
  void refusesTooManyStackedCopies() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ExpansionPlan.of(2, 5, Placement.TOP));
    assertEquals(
        "--placement top copies one existing block per new block, so it can add at most 2 blocks"
            + " to this model, not 3",
        e.getMessage());
  }
}
