package org.llamapro.train.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.apache.spark.Success$;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.TaskKilled;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Records, on the driver, what Spark did to the run: every rank that failed or was killed, every
 * lost executor and every resubmitted attempt of the barrier stage, in {@code events.jsonl}.
 */
final class RunEventsListener extends SparkListener {
  private final Path runDirectory;

  RunEventsListener(Path runDirectory) {
    this.runDirectory = runDirectory;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.reason() == Success$.MODULE$) {
      return;
    }
    ObjectNode event =
        RunEvents.event(end.reason() instanceof TaskKilled ? "rank_killed" : "rank_failed");
    event.put("stage", end.stageId());
    event.put("stage_attempt", end.stageAttemptId());
    event.put("rank", end.taskInfo().index());
    event.put("executor", end.taskInfo().executorId());
    event.put("host", end.taskInfo().host());
    event.put(
        "reason",
        firstLine(
            end.reason() instanceof TaskFailedReason failed
                ? failed.toErrorString()
                : end.reason().toString()));
    RunEvents.appendQuietly(runDirectory, event);
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
    if (submitted.stageInfo().attemptNumber() > 0) {
      ObjectNode event = RunEvents.event("stage_resubmitted");
      event.put("stage", submitted.stageInfo().stageId());
      event.put("stage_attempt", submitted.stageInfo().attemptNumber());
      RunEvents.appendQuietly(runDirectory, event);
    }
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
    ObjectNode event = RunEvents.event("executor_lost");
    event.put("executor", removed.executorId());
    event.put("reason", firstLine(removed.reason()));
    RunEvents.appendQuietly(runDirectory, event);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
