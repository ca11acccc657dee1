package org.llamapro.train.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The ring's chunk schedule on its own: index arithmetic only, every rank walked to the end. */
class ReducePlanTest {
  /** W = 2..5 with lengths below, at and above W and buckets and chunks that do not divide them. */
  static Stream<Arguments> shapes() {
    return IntStream.rangeClosed(2, 5)
        .boxed()
        .flatMap(
            w ->
                Stream.of(
                    Arguments.of(w, 1, 1024, 16),
                    Arguments.of(w, w - 1, 1024, 16),
                    Arguments.of(w, 7, 3, 1),
                    Arguments.of(w, 1001, 97, 5),
                    Arguments.of(w, 10_007, 1024, 64),
                    Arguments.of(w, 10_007, 10_007, 10_007)));
  }

  /** What one rank receives (in order) and sends (in order), per element and phase. */
  private record Walk(
      List<int[]> received, List<int[]> sent, int[] scatterHits, int[] gatherHits, int[] means) {}

  private static Walk walk(int rank, int worldSize, int count, int bucket, int chunk) {
    ArrayDeque<Outgoing> outbox = new ArrayDeque<>();
    List<int[]> sent = new ArrayList<>();
    List<int[]> received = new ArrayList<>();
    int[] scatterHits = new int[count];
    int[] gatherHits = new int[count];
    int[] means = new int[count];
    ReducePlan plan = new ReducePlan(rank, worldSize, count, bucket, chunk, outbox);
    while (true) {
      boolean more = plan.advance();
      drain(outbox, sent);
      if (!more) {
        break;
      }
      int start = plan.chunkStart();
      int length = plan.chunkLength();
      assertTrue(length >= 1 && length <= chunk, "chunk of " + length);
      received.add(new int[] {start, length});
      for (int i = start; i < start + length; i++) {
        if (plan.reducing()) {
          scatterHits[i]++;
        } else {
          gatherHits[i]++;
        }
        if (plan.finishesSegment()) {
          means[i]++;
        }
      }
      plan.complete();
      drain(outbox, sent);
    }
    return new Walk(received, sent, scatterHits, gatherHits, means);
  }

  private static void drain(ArrayDeque<Outgoing> outbox, List<int[]> sent) {
    for (Outgoing out = outbox.poll(); out != null; out = outbox.poll()) {
      assertEquals(Frames.DATA, out.kind());
      sent.add(new int[] {out.start(), out.length()});
    }
  }

  @ParameterizedTest(name = "W={0}, {1} floats, buckets of {2}, chunks of {3}")
  @MethodSource("shapes")
  void everyElementIsReducedOnceAndGatheredOncePerPhase(
      int worldSize, int count, int bucket, int chunk) {
    List<Walk> walks = new ArrayList<>();
    for (int rank = 0; rank < worldSize; rank++) {
      walks.add(walk(rank, worldSize, count, bucket, chunk));
    }
    for (int i = 0; i < count; i++) {
      int notReceivedInScatter = 0; // the segment's owner sends it first and receives it never
      int meansTaken = 0;
      for (int rank = 0; rank < worldSize; rank++) {
        Walk walk = walks.get(rank);
        int scatter = walk.scatterHits()[i];
        assertTrue(scatter <= 1, "rank " + rank + " reduced element " + i + " " + scatter + "x");
        notReceivedInScatter += 1 - scatter;
        meansTaken += walk.means()[i];
        // Each rank ends with every element exactly once: gathered, or finished by itself.
        assertEquals(
            1,
            walk.gatherHits()[i] + walk.means()[i],
            "rank " + rank + ", element " + i + ": gathered + finished");
      }
      assertEquals(1, notReceivedInScatter, "element " + i + ": ranks that start it");
      assertEquals(1, meansTaken, "element " + i + ": ranks that take its mean");
    }
  }

  @ParameterizedTest(name = "W={0}, {1} floats, buckets of {2}, chunks of {3}")
  @MethodSource("shapes")
  void eachRankSendsExactlyTheStreamItsSuccessorExpects(
      int worldSize, int count, int bucket, int chunk) {
    List<Walk> walks = new ArrayList<>();
    for (int rank = 0; rank < worldSize; rank++) {
      walks.add(walk(rank, worldSize, count, bucket, chunk));
    }
    for (int rank = 0; rank < worldSize; rank++) {
      List<int[]> sent = walks.get(rank).sent();
      List<int[]> expected = walks.get((rank + 1) % worldSize).received();
      assertEquals(expected.size(), sent.size(), "frames from rank " + rank);
      for (int f = 0; f < sent.size(); f++) {
        assertEquals(expected.get(f)[0], sent.get(f)[0], "start of frame " + f);
        assertEquals(expected.get(f)[1], sent.get(f)[1], "length of frame " + f);
      }
    }
  }

  @Test
  void eachRankMovesTwiceItsShareOfTheBuffer() {
    // W = 4, 1000 elements, one bucket: segments of 250; each rank receives 3 segments to reduce
    // and 3 to gather, 2 (W - 1) / W of the buffer.
    Walk walk = walk(1, 4, 1000, 1000, 64);
    int receivedElements = walk.received().stream().mapToInt(c -> c[1]).sum();
    int sentElements = walk.sent().stream().mapToInt(c -> c[1]).sum();
    assertEquals(1500, receivedElements);
    assertEquals(1500, sentElements);
  }

  @Test
  void positionNamesPhaseStepAndBucket() {
    ArrayDeque<Outgoing> outbox = new ArrayDeque<>();
    ReducePlan plan = new ReducePlan(0, 3, 10, 6, 4, outbox);
    assertEquals(1, outbox.size(), "own segment of the first bucket, queued at once");
    assertTrue(plan.advance());
    assertEquals("reduce-scatter step 1/2, bucket 1/2", plan.position());
    while (plan.step() < 2) {
      assertTrue(plan.advance());
      plan.complete();
    }
    assertEquals("all-gather step 1/2, bucket 1/2", plan.position());
    assertFalse(plan.reducing());
  }

  @Test
  void rejectsAPlanWithoutWork() {
    assertEquals(
        "Invalid plan: 0 elements, buckets of 16, chunks of 16 (all must be >= 1)",
        assertThrows(
                IllegalArgumentException.class,
                () -> new ReducePlan(0, 2, 0, 16, 16, new ArrayDeque<>()))
            .getMessage());
    assertEquals(
        "Invalid rank 2 of 2",
        assertThrows(
                IllegalArgumentException.class,
                () -> new ReducePlan(2, 2, 10, 16, 16, new ArrayDeque<>()))
            .getMessage());
  }
}
