package dev.sluice;

/**
 * How results are ordered and how messages may run in parallel. Whatever the mode, at most
 * {@code workers} messages run at once and at most {@code maxInFlight} are held between
 * receipt and acknowledgement.
 */
public enum Ordering {

  /**
   * Results are written as they complete. Any message may run in parallel with any other.
   * The fastest mode: one slow message holds back nothing but its own worker.
   */
  UNORDERED,

  /**
   * Results are written in arrival order; processing still runs in parallel. A slow message
   * holds back the results (not the processing) of those after it, up to {@code maxInFlight}:
   * then the pipeline stops asking the source for more until it finishes.
   */
  ORDERED,

  /**
   * Messages with the same key run one at a time, in arrival order, and their results are
   * written in that order; different keys run in parallel and their results interleave as
   * they complete. The key is {@link Message#key()} unless the builder was given a key
   * function. Messages without a key (null) are not held back by anything: they run as in
   * {@link #UNORDERED}. Messages waiting behind a busy key count against {@code maxInFlight}.
   */
  BY_KEY
}
