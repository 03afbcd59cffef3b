package dev.sluice.websocket;

/**
 * How a {@link WebSocketSource} turns a binary message into its {@code String} payload. Text
 * messages are always delivered as they are. Either way, the message's
 * {@link dev.sluice.Message#headers() headers} carry {@code websocket.type} = {@code text} or
 * {@code binary}.
 */
public enum BinaryMode {

  /**
   * Decode the bytes as UTF-8, strictly: a message that is not valid UTF-8 goes to the
   * dead-letter path with a {@link MalformedMessageException}. The default, for servers that
   * send JSON in binary frames.
   */
  UTF8,

  /** Deliver the bytes Base64-encoded (RFC 4648, with padding), for truly binary payloads. */
  BASE64
}
