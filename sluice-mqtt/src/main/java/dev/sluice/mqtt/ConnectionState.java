package dev.sluice.mqtt;

/** Where an MQTT client's connection stands, as shown in {@link MqttSourceStats}. */
public enum ConnectionState {
  /** Not yet connected: the first connection attempt is under way. */
  CONNECTING,
  /** Connected, subscribed (sources), exchanging messages. */
  CONNECTED,
  /** The connection was lost; reconnecting with backoff. */
  RECONNECTING,
  /** Disconnected for good: closed, or the first connection failed. */
  CLOSED
}
