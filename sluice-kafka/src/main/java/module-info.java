/**
 * Sluice's Kafka source and sink ({@code dev.sluice.kafka}), on kafka-clients (an automatic
 * module, {@code kafka.clients}). The consumer loop and the offset tracking
 * ({@code dev.sluice.kafka.internal}) are not exported.
 */
module dev.sluice.kafka {
  requires transitive dev.sluice.core;
  requires kafka.clients;
  requires org.slf4j;

  exports dev.sluice.kafka;
}
