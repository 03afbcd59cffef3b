package dev.sluice.mqtt;

/**
 * What an {@link MqttSource} does with a QoS 0 message that arrives while its QoS 0 buffer is
 * full. QoS 0 cannot be paused by withholding acknowledgements, so the buffer between the
 * client and the pipeline needs a policy; QoS 1 and 2 never need one, because Receive Maximum
 * (MQTT 5) or the broker's in-flight limit (3.1.1) stops delivery while acknowledgements are due.
 * Every message a policy discards is counted in {@link MqttSourceStats#qos0Dropped()}.
 */
public enum OverflowPolicy {
  /**
   * Blocks the client's network thread until the pipeline takes a message: the socket is not
   * read, so TCP pushes back on the broker, which queues or drops by its own limits. Nothing is
   * dropped here, but no keep-alive is sent while blocked: a wait longer than 1.5 keep-alive
   * periods gets the connection closed by the broker. Bound: the buffer size.
   */
  BLOCK,
  /** Discards the message that just arrived. Bound: the buffer size. */
  DROP_NEWEST,
  /** Discards the oldest buffered QoS 0 message to make room. Bound: the buffer size. */
  DROP_OLDEST,
  /**
   * Fails the source with an {@link MqttOverflowException}, which fails the pipeline after it
   * drains. Bound: the buffer size.
   */
  FAIL
}
