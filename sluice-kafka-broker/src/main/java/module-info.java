/**
 * An in-JVM single-node KRaft Kafka broker ({@code dev.sluice.kafka.broker}), for
 * {@code sluice demo --via kafka} and for tests.
 *
 * <p>The broker's jars stay on the class path, which the build lets this module read
 * ({@code --add-reads}, see the POM): {@code kafka_2.13} (Scala) has no module name and none
 * can be derived from its file name, and {@code kafka-clients}, {@code kafka-metadata} and
 * {@code kafka-server-common} split packages ({@code org.apache.kafka.common} and others), so
 * no two of them can be modules together.
 */
module dev.sluice.kafka.broker {
  requires org.slf4j;

  exports dev.sluice.kafka.broker;
}
