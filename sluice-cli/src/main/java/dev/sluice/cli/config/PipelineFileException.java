package dev.sluice.cli.config;

/**
 * A mistake in a pipeline file: one line, {@code FILE:LINE:COLUMN: what is wrong; what to
 * write instead} (line and column from 1). An {@link IllegalArgumentException}, so the command
 * reports it as a bad command line (exit 2) without a stack trace.
 */
public final class PipelineFileException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  PipelineFileException(String message) {
    super(message);
  }
}
