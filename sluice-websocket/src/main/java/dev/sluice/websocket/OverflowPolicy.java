package dev.sluice.websocket;

/**
 * What a {@link WebSocketSource} does when the server sends faster than the pipeline takes.
 *
 * <p>WebSocket has no acknowledgement and no flow control of its own: the only way to slow a
 * server is to stop reading, so that the TCP window closes and the server's writes back up.
 * {@link #BLOCK} does exactly that. A server that will not slow down (a broadcast feed that
 * writes to every client at its own pace) then queues messages for us in its own send buffer
 * until it gives up on us: most close the connection (often with 1008 or 1011, or an idle or
 * write timeout) or silently discard what we could not take. The source reports the close code
 * and reconnects, and whatever the server discarded is lost without our knowing. If losing
 * messages is better than losing the connection, pick one of the other policies: they read
 * everything as fast as it arrives into a buffer of {@code bufferSize} messages and decide
 * there, counting each loss in {@link WebSocketStats#dropped()}.
 *
 * <p>Whatever the policy, the source holds at most {@code bufferSize} complete messages plus
 * the one being reassembled (at most {@code maxMessageSize} bytes): never an unbounded buffer.
 */
public enum OverflowPolicy {

  /**
   * Read from the socket only as many messages as the pipeline has asked for (capped at
   * {@code bufferSize}), so TCP backpressure slows the server. Nothing is dropped by us; the
   * buffer never overflows. The default.
   */
  BLOCK,

  /**
   * Read as fast as the server sends; when the buffer is full, discard the message that just
   * arrived. The pipeline sees the oldest messages, with gaps after them.
   */
  DROP_NEWEST,

  /**
   * Read as fast as the server sends; when the buffer is full, discard the oldest buffered
   * message to make room. The pipeline sees the freshest messages (right for prices and
   * telemetry, where only the latest value matters).
   */
  DROP_OLDEST,

  /**
   * Read as fast as the server sends; when the buffer is full, close the connection and fail
   * the stream with a {@link java.io.IOException} naming the buffer size. Buffered messages
   * not yet delivered are discarded and counted as dropped.
   */
  FAIL
}
