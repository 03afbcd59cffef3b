package dev.sluice.internal;

/** What became of a received message, once final; set by its last owner before settlement. */
enum Outcome {
  /** Not final yet: queued, running or waiting for a retry. */
  NONE,
  /** Processed: its result (possibly none) goes to the sink, then it is acked. */
  RESULT,
  /** Given up on: it goes to the dead-letter sink, then it is acked. */
  DEAD_LETTERED,
  /** Given up unprocessed (draining, stopping, a sink failed): it is nacked, nothing written. */
  NACKED
}
