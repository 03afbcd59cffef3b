package dev.sluice.spi;

/**
 * What a {@link SourceEmitter} does with a message that arrives when its buffer is full: the
 * one choice a source that cannot be paused (MQTT QoS 0, a WebSocket server that ignores
 * backpressure) must make, since Sluice never buffers without bound.
 *
 * <p>Whatever the policy, an emitter holds at most its {@code capacity} messages. A message it
 * takes and then discards is {@linkplain dev.sluice.Message#nack nacked} with a
 * {@link SourceOverflowException} and counted in {@link SourceEmitter#dropped()}, so a source
 * with acknowledgement leaves it for redelivery and nothing is lost without a count.
 */
public enum OverflowPolicy {

  /**
   * Take nothing past the capacity: {@link SourceEmitter#tryEmit} answers
   * {@link EmitResult#FULL} and leaves the message with the caller, and
   * {@link SourceEmitter#emit} waits for room. A source that reads on demand (see
   * {@link SourceEmitter.Builder#onRequest}) never meets a full buffer: it is asked for no more
   * than there is room for, so TCP or the broker holds the backlog. Nothing is dropped. Bound:
   * the capacity.
   */
  BLOCK,

  /**
   * Discard the message that just arrived ({@link EmitResult#DROPPED}). The subscriber sees the
   * oldest messages, with gaps after them. Bound: the capacity.
   */
  DROP_NEWEST,

  /**
   * Discard the oldest buffered message to make room for the new one. The subscriber sees the
   * freshest messages (right for prices and telemetry, where only the latest value matters).
   * Bound: the capacity.
   */
  DROP_OLDEST,

  /**
   * Fail the stream: the new message and everything buffered are discarded, the subscriber
   * gets {@code onError} with a {@link SourceOverflowException} naming the capacity, and the
   * source is cancelled ({@link EmitResult#OVERFLOWED}). Bound: the capacity.
   */
  FAIL
}
