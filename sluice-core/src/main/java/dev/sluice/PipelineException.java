package dev.sluice;

/**
 * The pipeline failed: its source signalled an error or its sink could not write. The cause
 * is the original error.
 */
public final class PipelineException extends RuntimeException {
  public PipelineException(String message, Throwable cause) {
    super(message, cause);
  }
}
