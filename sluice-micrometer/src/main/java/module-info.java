/**
 * Sluice's Micrometer bridge ({@code dev.sluice.micrometer}): a pipeline's statistics as
 * Micrometer meters. The MQTT and WebSocket sources' own meters are bound when the application
 * uses those connectors ({@code requires static}: optional dependencies).
 */
module dev.sluice.micrometer {
  requires transitive dev.sluice.core;
  requires transitive micrometer.core;
  requires static dev.sluice.mqtt;
  requires static dev.sluice.websocket;

  exports dev.sluice.micrometer;
}
