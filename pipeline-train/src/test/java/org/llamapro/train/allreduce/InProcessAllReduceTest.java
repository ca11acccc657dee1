package org.llamapro.train.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class InProcessAllReduceTest {
  @ParameterizedTest(name = "W={0}")
  @ValueSource(ints = {1, 2, 3, 4, 5})
  void meanMatchesPlainSumForManySteps(int worldSize) {
    List<AllReduce> group = InProcessAllReduce.group(worldSize);
    for (int step = 0; step < 20; step++) {
      int count = step % 2 == 0 ? 3 : 10_007; // some smaller than the world size
      List<float[]> inputs = new ArrayList<>();
      List<FloatBuffer> buffers = new ArrayList<>();
      for (int r = 0; r < worldSize; r++) {
        buffers.add(Ranks.randomBuffer(count, step * 10L + r));
        inputs.add(Ranks.toArray(buffers.get(r)));
      }
      Ranks.run(
              worldSize,
              rank -> {
                group.get(rank).allReduceMean(buffers.get(rank));
                group.get(rank).barrier();
                return null;
              })
          .forEach(Ranks.Outcome::get);
      Ranks.assertMeans(inputs, buffers, Ranks.F32);
    }
    Ranks.closeAll(group);
  }

  @Test
  void mismatchedLengthsFailEveryRank() {
    List<AllReduce> group = InProcessAllReduce.group(2);
    List<Ranks.Outcome<Object>> outcomes =
        Ranks.run(
            2,
            rank -> {
              group.get(rank).allReduceMean(Ranks.direct(rank == 0 ? 4 : 5));
              return null;
            });
    for (Ranks.Outcome<Object> outcome : outcomes) {
      IllegalArgumentException e =
          assertInstanceOf(IllegalArgumentException.class, outcome.error());
      assertEquals(
          "Buffer length mismatch in in-process all-reduce call #1: every rank must pass the same"
              + " number of floats, but rank 0 has 4, rank 1 has 5",
          e.getMessage());
    }
  }

  @Test
  void aRankThatNeverArrivesIsNamedAfterTheTimeout() {
    List<AllReduce> group = InProcessAllReduce.group(3, Duration.ofMillis(500));
    List<Ranks.Outcome<Object>> outcomes =
        Ranks.run(
            2,
            rank -> {
              group.get(rank).allReduceMean(Ranks.direct(8));
              return null;
            });
    for (Ranks.Outcome<Object> outcome : outcomes) {
      AllReduceException e = assertInstanceOf(AllReduceException.class, outcome.error());
      assertTrue(outcome.millis() < 3_000, "took " + outcome.millis() + " ms");
      assertTrue(
          e.getMessage().contains("timed out after 500 ms waiting for rank(s) [2] at call #1"),
          e.getMessage());
    }
    AllReduceException later =
        assertThrows(AllReduceException.class, () -> group.get(2).allReduceMean(Ranks.direct(8)));
    assertTrue(later.getMessage().contains("waiting for rank(s) [2]"), later.getMessage());
  }

  @Test
  void closingAMemberFailsTheOthersAtOnce() {
    List<AllReduce> group = InProcessAllReduce.group(2, Duration.ofSeconds(30));
    List<Ranks.Outcome<Object>> outcomes =
        Ranks.run(
            2,
            rank -> {
              if (rank == 1) {
                Thread.sleep(100);
                group.get(1).close();
              } else {
                group.get(0).barrier();
              }
              return null;
            });
    AllReduceException e = assertInstanceOf(AllReduceException.class, outcomes.get(0).error());
    assertTrue(outcomes.get(0).millis() < 5_000, "took " + outcomes.get(0).millis() + " ms");
    assertEquals("In-process all-reduce: rank 1 closed its member of the group", e.getMessage());
  }
}
