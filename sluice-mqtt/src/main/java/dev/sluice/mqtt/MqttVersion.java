package dev.sluice.mqtt;

/** The MQTT protocol version a client speaks. */
public enum MqttVersion {
  /**
   * MQTT 3.1.1: no Receive Maximum (the broker's own in-flight limit, Mosquitto's
   * {@code max_inflight_messages}, bounds unacknowledged deliveries), no session expiry (a
   * persistent session lives until the broker expires it), no user properties.
   */
  V3_1_1,
  /** MQTT 5 (the default): Receive Maximum, session expiry, user properties. */
  V5
}
