package org.llamapro.train.spark;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.llamapro.train.allreduce.PeerAddress;

/**
 * What one rank publishes in the rendezvous (the only {@code allGather} of a stage attempt): where
 * it listens for the ring, and what it sees in the run directory, so that all ranks can check they
 * resume from the same checkpoint before any of them loads it.
 *
 * @param rank the task's partition
 * @param address host:port of the rank's ring socket
 * @param checkpointStep step of the newest complete checkpoint it sees, 0 for none
 * @param runFile whether it sees the run's {@code run.json}
 * @param executor Spark's executor id, for messages and events
 * @param device the device the rank computes on ({@code cpu()}, {@code gpu(1)}), for the record
 */
public record RankView(
    int rank,
    PeerAddress address,
    int checkpointStep,
    boolean runFile,
    String executor,
    String device) {
  public RankView {
    requireNonNull(address, "address is null");
    requireNonNull(executor, "executor is null");
    requireNonNull(device, "device is null");
    if (executor.contains(" ") || device.contains(" ")) {
      throw new IllegalArgumentException(
          "Invalid rank view: executor '" + executor + "' or device '" + device + "' has a space");
    }
  }

  /** The form published through {@code allGather}. */
  public String encode() {
    return address + " " + checkpointStep + " " + runFile + " " + executor + " " + device;
  }

  /** Reads what rank {@code rank} published. */
  public static RankView parse(int rank, String text) {
    String[] parts = text.trim().split(" ");
    if (parts.length != 5) {
      throw new IllegalArgumentException(
          "Invalid rendezvous message of rank " + rank + ": '" + text + "'");
    }
    return new RankView(
        rank,
        PeerAddress.parse(parts[0]),
        Integer.parseInt(parts[1]),
        Boolean.parseBoolean(parts[2]),
        parts[3],
        parts[4]);
  }

  /** Every rank's view, index = rank. */
  public static List<RankView> parseAll(String[] messages) {
    List<RankView> views = new ArrayList<>();
    for (int i = 0; i < messages.length; i++) {
      views.add(parse(i, messages[i]));
    }
    return views;
  }

  /**
   * The checkpoint step all ranks agree to resume from.
   *
   * @throws IllegalStateException when they see different run directories (e.g. the output is not
   *     on a filesystem that every executor shares); every rank throws the same message
   */
  public static int agreedCheckpoint(List<RankView> views, String runDirectory) {
    RankView first = views.get(0);
    for (RankView view : views) {
      if (view.checkpointStep != first.checkpointStep || view.runFile != first.runFile) {
        StringBuilder seen = new StringBuilder();
        for (RankView v : views) {
          seen.append(seen.length() == 0 ? "" : "; ")
              .append("rank ")
              .append(v.rank)
              .append(" (executor ")
              .append(v.executor)
              .append(" on ")
              .append(v.address.host())
              .append(") sees ")
              .append(
                  v.checkpointStep == 0 ? "no checkpoint" : "checkpoint step " + v.checkpointStep)
              .append(v.runFile ? " and run.json" : " and no run.json");
        }
        throw new IllegalStateException(
            "The ranks disagree on the state of run directory "
                + runDirectory
                + ": "
                + seen
                + ". Every executor must see the same run directory (a shared filesystem), and no"
                + " task of an earlier attempt may still be writing to it");
      }
    }
    return first.checkpointStep;
  }
}
