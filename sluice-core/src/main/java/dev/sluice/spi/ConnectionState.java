package dev.sluice.spi;

/**
 * Where a connector's connection stands: one vocabulary for every connector (WebSocket, MQTT,
 * Kafka, SQS), so that {@code /health} and status lines read the same whatever the source.
 *
 * <pre>
 * IDLE → CONNECTING → CONNECTED → BACKING_OFF → CONNECTING → ...
 *                   ↘ (no reconnect left, or close/cancel) → CLOSED | FAILED
 * </pre>
 *
 * <p>{@link #CONNECTED} is the only state in which messages flow; {@link #CLOSED} and
 * {@link #FAILED} are final.
 */
public enum ConnectionState {
  /** Nothing connects before the first subscription (or the first write, for a sink). */
  IDLE,
  /** The connection (handshake, CONNECT, first poll) is under way. */
  CONNECTING,
  /** Connected (and subscribed, for a source): messages flow. */
  CONNECTED,
  /** The connection was lost or could not be made; waiting out the {@link Backoff} to retry. */
  BACKING_OFF,
  /** Ended normally: closed by the user, a cancel, or the server's normal close. */
  CLOSED,
  /** Ended with an error: out of reconnect attempts, or a buffer overflow under FAIL. */
  FAILED;

  /** True for {@link #CLOSED} and {@link #FAILED}: nothing will connect again. */
  public boolean isFinal() {
    return this == CLOSED || this == FAILED;
  }
}
