package dev.sluice.cli.readme;

import dev.sluice.kafka.broker.EmbeddedKafkaBroker;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The README's Kafka section's servers and test clients: an in-process KRaft broker per
 * scenario (the snippets share topic and group names), records in, records out, the group's
 * members and commits, all over the broker's PLAINTEXT listener. Used by the test thread only.
 */
final class ReadmeKafka implements AutoCloseable {

  /** The SASL user of the README's security example. */
  static final String USER = "scorer";

  final EmbeddedKafkaBroker broker;
  private final Admin admin;

  private ReadmeKafka(EmbeddedKafkaBroker broker) {
    this.broker = broker;
    this.admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
  }

  /** A broker with a PLAINTEXT listener only. */
  static ReadmeKafka start() {
    return new ReadmeKafka(EmbeddedKafkaBroker.builder().timeout(Duration.ofSeconds(60)).start());
  }

  /**
   * A broker that also has SASL_SSL with the user {@link #USER} and the test CA's server
   * certificate (for 127.0.0.1), its key store written in {@code dir}.
   */
  static ReadmeKafka startWithSaslSsl(TestCa ca, Path dir, String password) throws Exception {
    Path keyStore = dir.resolve("kafka-server.p12");
    try (OutputStream out = Files.newOutputStream(keyStore)) {
      ca.serverKeyStore("kafka-store").store(out, "kafka-store".toCharArray());
    }
    return new ReadmeKafka(EmbeddedKafkaBroker.builder().timeout(Duration.ofSeconds(60))
        .saslUser(USER, password).tls(keyStore, "kafka-store").start());
  }

  String bootstrap() {
    return broker.bootstrapServers();
  }

  /** Writes each {@code {key, value}} to {@code topic} and waits for the acknowledgements. */
  void produce(String topic, List<String[]> records) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        Map.of("bootstrap.servers", bootstrap(), "acks", "all"), new StringSerializer(),
        new StringSerializer())) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (String[] r : records) {
        sent.add(producer.send(new ProducerRecord<>(topic, r[0], r[1])));
      }
      for (java.util.concurrent.Future<?> f : sent) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
  }

  /** {@code topic}'s records from the start, each partition in order, until {@code count}. */
  List<ConsumerRecord<String, String>> read(String topic, int count, Duration limit) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
        Map.of("bootstrap.servers", bootstrap()), new StringDeserializer(),
        new StringDeserializer())) {
      long deadline = System.nanoTime() + limit.toNanos();
      List<TopicPartition> partitions = List.of();
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        partitions = consumer.listTopics().getOrDefault(topic, List.of()).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (out.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** The group's members now: client id → partitions assigned; none before it exists. */
  Map<String, Integer> members(String group) throws Exception {
    ConsumerGroupDescription d;
    try {
      d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
        return Map.of();
      }
      throw e;
    }
    Map<String, Integer> out = new java.util.TreeMap<>();
    for (MemberDescription m : d.members()) {
      out.put(m.clientId(), m.assignment().topicPartitions().size());
    }
    return out;
  }

  /** The sum of the group's committed offsets. */
  long committed(String group) throws Exception {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(10));
    broker.close();
  }
}
