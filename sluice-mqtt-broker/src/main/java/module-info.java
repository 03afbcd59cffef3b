/**
 * An in-JVM MQTT broker (HiveMQ CE embedded, an automatic module) and a Mosquitto launcher
 * ({@code dev.sluice.mqtt.broker}), for {@code sluice demo --via mqtt} and for tests.
 */
module dev.sluice.mqtt.broker {
  requires hivemq.community.edition.embedded;
  requires org.slf4j;

  exports dev.sluice.mqtt.broker;
}
