package dev.sluice.websocket;

/**
 * Where a {@link WebSocketSource}'s connection stands, as reported by
 * {@link WebSocketSource#state()} and {@link WebSocketStats#state()}.
 *
 * <pre>
 * IDLE → CONNECTING → OPEN → BACKING_OFF → CONNECTING → ...
 *                   ↘ (no reconnect left, or close/cancel) → CLOSED | FAILED
 * </pre>
 */
public enum ConnectionState {
  /** Nobody has subscribed yet: no connection is made before the first subscription. */
  IDLE,
  /** The opening handshake is under way. */
  CONNECTING,
  /** Connected: the subscribe message (if any) was sent and messages flow. */
  OPEN,
  /** The connection was lost or could not be made; waiting out the backoff to try again. */
  BACKING_OFF,
  /** Ended normally: closed by {@link WebSocketSource#close()}, a cancel, or the server. */
  CLOSED,
  /** Ended with an error: out of reconnect attempts, or a buffer overflow under FAIL. */
  FAILED
}
