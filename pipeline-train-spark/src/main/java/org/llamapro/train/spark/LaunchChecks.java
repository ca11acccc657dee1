package org.llamapro.train.spark;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * What the driver checks before it starts the barrier stage, so that a job that cannot work fails
 * at once with a message that names the setting, instead of hanging or training somewhere else than
 * asked. Pure: it reads a {@link SparkConf}, the master URL and the registered executors.
 */
public final class LaunchChecks {
  static final String DYNAMIC_ALLOCATION = "spark.dynamicAllocation.enabled";
  static final String SPECULATION = "spark.speculation";
  static final String TASK_GPUS = "spark.task.resource.gpu.amount";
  static final String EXECUTOR_GPUS = "spark.executor.resource.gpu.amount";
  private static final Pattern LOCAL =
      Pattern.compile("local(?:\\[(\\*|\\d+)(?:\\s*,\\s*\\d+)?])?");

  /**
   * What the checks found.
   *
   * @param local the master is {@code local[...]}: every rank is a thread of the driver's JVM
   * @param gpus each task gets its own GPU from Spark's resource scheduling
   * @param slots task slots available to the barrier stage
   */
  public record Plan(boolean local, boolean gpus, int slots) {}

  private LaunchChecks() {}

  /** The number of task threads of a {@code local[...]} master, or -1 for any other master. */
  static int localSlots(String master) {
    Matcher m = LOCAL.matcher(master.trim());
    if (!m.matches()) {
      return -1;
    }
    if (m.group(1) == null) {
      return 1;
    }
    return m.group(1).equals("*")
        ? Runtime.getRuntime().availableProcessors()
        : Integer.parseInt(m.group(1));
  }

  /**
   * Checks everything that does not depend on registered executors (settings only).
   *
   * @throws IllegalArgumentException naming the setting that prevents the run
   */
  public static void checkSettings(SparkConf conf, int worldSize, String device) {
    requireNonNull(conf, "conf is null");
    requireNonNull(device, "device is null");
    if (conf.getBoolean(DYNAMIC_ALLOCATION, false)) {
      throw new IllegalArgumentException(
          "Refusing to start: "
              + DYNAMIC_ALLOCATION
              + "=true, but a barrier training stage needs a fixed set of executors; set it to"
              + " false");
    }
    if (conf.getBoolean(SPECULATION, false)) {
      throw new IllegalArgumentException(
          "Refusing to start: "
              + SPECULATION
              + "=true, but a speculative copy of a rank would join the gradient exchange twice;"
              + " set it to false");
    }
    String spec = device.trim().toLowerCase(Locale.ROOT);
    double taskGpus = conf.getDouble(TASK_GPUS, 0);
    boolean local = localSlots(conf.get("spark.master", "local")) > 0;
    if (taskGpus > 0) {
      if (spec.equals("cpu")) {
        throw new IllegalArgumentException(
            "Refusing to start: GPUs were asked for ("
                + TASK_GPUS
                + "="
                + conf.get(TASK_GPUS)
                + ") but train.device=cpu; set train.device=gpu (each task then takes the GPU"
                + " Spark assigns it) or drop the GPU resource settings");
      }
      if (taskGpus != 1.0) {
        throw new IllegalArgumentException(
            "Invalid "
                + TASK_GPUS
                + ": "
                + conf.get(TASK_GPUS)
                + " (each rank needs exactly one GPU of its own: 1)");
      }
    } else if (spec.startsWith("gpu") && !local && worldSize > 1) {
      throw new IllegalArgumentException(
          "Refusing to start: train.device="
              + device
              + " but "
              + TASK_GPUS
              + " is not set, so Spark would not give each of the "
              + worldSize
              + " tasks its own GPU; set "
              + EXECUTOR_GPUS
              + "=1 and "
              + TASK_GPUS
              + "=1 with a discovery script (conf/spark-defaults-gpu.conf)");
    }
  }

  /**
   * Checks the slots: a {@code local[N]} master needs {@code N >= worldSize}; on a cluster the
   * executors must offer {@code worldSize} slots in all and each must run one task at a time (DJL
   * allows one gradient tape per JVM).
   *
   * @throws IllegalArgumentException naming the setting that prevents the run
   */
  public static Plan checkSlots(
      SparkConf conf, String master, int worldSize, List<ExecutorSlots> executors) {
    requireNonNull(conf, "conf is null");
    requireNonNull(master, "master is null");
    requireNonNull(executors, "executors is null");
    boolean gpus = conf.getDouble(TASK_GPUS, 0) > 0;
    int local = localSlots(master);
    if (local > 0) {
      if (local < worldSize) {
        throw new IllegalArgumentException(
            "Refusing to start: a barrier stage of "
                + worldSize
                + " ranks needs "
                + worldSize
                + " task slots, but master "
                + master
                + " has "
                + local
                + "; use local["
                + worldSize
                + "] or fewer ranks (--world-size)");
      }
      return new Plan(true, gpus, local);
    }
    int slots = 0;
    for (ExecutorSlots executor : executors) {
      if (executor.maxTasks() > 1) {
        throw new IllegalArgumentException(
            "Refusing to start: executor "
                + executor.id()
                + " on "
                + executor.host()
                + " runs up to "
                + executor.maxTasks()
                + " tasks at once (spark.executor.cores="
                + conf.get("spark.executor.cores", "all of the worker's")
                + ", spark.task.cpus="
                + conf.get("spark.task.cpus", "1")
                + (gpus ? ", " + EXECUTOR_GPUS + "=" + conf.get(EXECUTOR_GPUS, "?") : "")
                + "), but DJL allows one gradient tape per JVM, so each executor must run one"
                + " rank: set spark.task.cpus equal to spark.executor.cores"
                + (gpus ? ", or one GPU per executor" : ""));
      }
      slots += executor.maxTasks();
    }
    if (slots < worldSize) {
      throw new IllegalArgumentException(
          "Refusing to start: a barrier stage of "
              + worldSize
              + " ranks needs "
              + worldSize
              + " task slots (one per executor), but "
              + executors.size()
              + " executor(s) with "
              + slots
              + " slot(s) registered; start more executors (spark.executor.instances) or use"
              + " fewer ranks (--world-size)");
    }
    return new Plan(false, gpus, slots);
  }
}
