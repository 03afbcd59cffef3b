/**
 * The {@code sluice} command. An application: its interface is the command line, so it exports
 * nothing, and its packages are opened to picocli alone, which injects the options into the
 * command classes reflectively.
 *
 * <p>The embedded MQTT and Kafka brokers and the SQS server are optional
 * ({@code requires static}), for {@code sluice demo --via mqtt|kafka|sqs}. Both jars run
 * on the class path (the shade plugin drops every {@code module-info.class}); this descriptor
 * is what keeps the command, at compile time, to the other modules' exported API.
 */
module dev.sluice.cli {
  requires dev.sluice.core;
  requires dev.sluice.websocket;
  requires dev.sluice.mqtt;
  requires dev.sluice.kafka;
  requires dev.sluice.sqs;
  requires static dev.sluice.mqtt.broker;
  requires static dev.sluice.kafka.broker;
  requires static dev.sluice.sqs.server;
  requires info.picocli;
  requires org.snakeyaml.engine;
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.writer.text;
  requires software.amazon.awssdk.core;
  requires org.slf4j;
  requires jdk.httpserver;
  requires jdk.unsupported;

  opens dev.sluice.cli to info.picocli;
}
