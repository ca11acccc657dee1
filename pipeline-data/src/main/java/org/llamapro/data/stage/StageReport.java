package org.llamapro.data.stage;

/**
 * What a stage reports: a record of its counts, written into its {@code _progress/} marker and,
 * with the stage's time, into {@code summary.json}. Each stage has its own record type ({@link
 * PrepareStage#reportType()}), so both files are read back with the same field checks.
 */
public interface StageReport {}
