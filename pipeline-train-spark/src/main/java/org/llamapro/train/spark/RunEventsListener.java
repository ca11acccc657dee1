package org.llamapro.train.spark;

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
    String reason =
        firstLine(
            end.reason() instanceof TaskFailedReason failed
                ? failed.toErrorString()
                : end.reason().toString());
    int stage = end.stageId();
    int attempt = end.stageAttemptId();
    int rank = end.taskInfo().index();
    String executor = end.taskInfo().executorId();
    String host = end.taskInfo().host();
    RunEvents.appendQuietly(
        runDirectory,
        end.reason() instanceof TaskKilled
            ? new RunEvent.RankKilled(RunEvent.now(), stage, attempt, rank, executor, host, reason)
            : new RunEvent.RankFailed(
                RunEvent.now(), stage, attempt, rank, executor, host, reason));
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
    if (submitted.stageInfo().attemptNumber() > 0) {
      RunEvents.appendQuietly(
          runDirectory,
          new RunEvent.StageResubmitted(
              RunEvent.now(),
              submitted.stageInfo().stageId(),
              submitted.stageInfo().attemptNumber()));
    }
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
    RunEvents.appendQuietly(
        runDirectory,
        new RunEvent.ExecutorLost(
            RunEvent.now(), removed.executorId(), firstLine(removed.reason())));
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
