package org.llamapro.train.spark;

import static java.util.Objects.requireNonNull;

/**
 * One registered executor as the launch checks see it.
 *
 * @param id Spark's executor id
 * @param host where it runs
 * @param maxTasks how many tasks it runs at once (cores / task cpus, or its GPUs / task GPUs)
 * @param gpus how many GPUs it has ({@code 0} without GPU scheduling)
 */
public record ExecutorSlots(String id, String host, int maxTasks, int gpus) {
  public ExecutorSlots {
    requireNonNull(id, "id is null");
    requireNonNull(host, "host is null");
  }
}
