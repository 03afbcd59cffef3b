/**
 * Sluice's MQTT 3.1.1 and 5 source and sink ({@code dev.sluice.mqtt}), on the HiveMQ MQTT
 * Client. The connections, the inbox and the topic templates ({@code dev.sluice.mqtt.internal})
 * are not exported.
 */
module dev.sluice.mqtt {
  requires transitive dev.sluice.core;
  requires com.hivemq.client.mqtt;
  requires io.reactivex.rxjava2;
  requires org.slf4j;

  exports dev.sluice.mqtt;
}
