/**
 * Sluice's WebSocket source and sink ({@code dev.sluice.websocket}), on the JDK's
 * {@code java.net.http} client. The connection, the session and the frame assembler
 * ({@code dev.sluice.websocket.internal}) are not exported.
 */
module dev.sluice.websocket {
  requires transitive dev.sluice.core;
  requires java.net.http;
  requires org.slf4j;

  exports dev.sluice.websocket;
}
