package org.llamapro.train.spark;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.List;

/**
 * One line of {@code events.jsonl}: {@code "event"} names the kind, {@code "time"} is when it
 * happened (ISO-8601), the other fields depend on the kind.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "event")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RunEvent.JobStarted.class, name = "job_started"),
  @JsonSubTypes.Type(value = RunEvent.JobFinished.class, name = "job_finished"),
  @JsonSubTypes.Type(value = RunEvent.JobFailed.class, name = "job_failed"),
  @JsonSubTypes.Type(value = RunEvent.AttemptStarted.class, name = "attempt_started"),
  @JsonSubTypes.Type(value = RunEvent.RankFailed.class, name = "rank_failed"),
  @JsonSubTypes.Type(value = RunEvent.RankKilled.class, name = "rank_killed"),
  @JsonSubTypes.Type(value = RunEvent.StageResubmitted.class, name = "stage_resubmitted"),
  @JsonSubTypes.Type(value = RunEvent.ExecutorLost.class, name = "executor_lost")
})
public sealed interface RunEvent {
  String time();

  /** The event's name as written in {@code "event"}. */
  @JsonIgnore
  default String name() {
    return getClass().getAnnotation(JsonTypeName.class).value();
  }

  static String now() {
    return Instant.now().toString();
  }

  /** The driver starts the barrier job. */
  @JsonTypeName("job_started")
  record JobStarted(
      String time,
      int worldSize,
      String master,
      String application,
      boolean gpus,
      int maxStageAttempts)
      implements RunEvent {}

  /** Every rank returned. */
  @JsonTypeName("job_finished")
  record JobFinished(String time, int lastStep, boolean finished, int stageAttempt)
      implements RunEvent {}

  /** The job failed; {@code reason} is the first line of the error. */
  @JsonTypeName("job_failed")
  record JobFailed(String time, String reason) implements RunEvent {}

  /** Rank 0 starts a stage attempt with these ranks. */
  @JsonTypeName("attempt_started")
  record AttemptStarted(
      String time,
      int stageAttempt,
      int worldSize,
      boolean resume,
      int resumeFromStep,
      List<Rank> ranks)
      implements RunEvent {
    public AttemptStarted {
      ranks = List.copyOf(ranks);
    }
  }

  /** Where one rank of an attempt runs. */
  record Rank(int rank, String executor, String address, String device) {}

  /** A rank's task failed. */
  @JsonTypeName("rank_failed")
  record RankFailed(
      String time,
      int stage,
      int stageAttempt,
      int rank,
      String executor,
      String host,
      String reason)
      implements RunEvent {}

  /** Spark killed a rank's task (another rank failed). */
  @JsonTypeName("rank_killed")
  record RankKilled(
      String time,
      int stage,
      int stageAttempt,
      int rank,
      String executor,
      String host,
      String reason)
      implements RunEvent {}

  /** Spark resubmitted the barrier stage. */
  @JsonTypeName("stage_resubmitted")
  record StageResubmitted(String time, int stage, int stageAttempt) implements RunEvent {}

  /** An executor was removed. */
  @JsonTypeName("executor_lost")
  record ExecutorLost(String time, String executor, String reason) implements RunEvent {}
}
