package dev.sluice.kafka;

import dev.sluice.kafka.broker.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One embedded KRaft broker for every Kafka test in this JVM (started on first use, stopped at
 * exit), and the small producer/consumer/admin chores the tests share. The broker has a SASL
 * listener with user {@value #USER} and a TLS listener with a
 * self-signed certificate made by openssl.
 */
final class TestKafka {

  static final String USER = "alice";
  static final String PASSWORD = "alice-secret";

  static final String KEYSTORE_PASSWORD = "changeit";

  private static EmbeddedKafkaBroker broker;
  private static Path certificate;

  private TestKafka() {
  }

  static synchronized EmbeddedKafkaBroker broker() {
    if (broker == null) {
      long start = System.nanoTime();
      Path tls = certificates();
      certificate = tls.resolve("cert.pem");
      broker = EmbeddedKafkaBroker.builder()
          .saslUser(USER, PASSWORD)
          .tls(tls.resolve("broker.p12"), KEYSTORE_PASSWORD)
          .config("group.min.session.timeout.ms", "1000")
          .start();
      System.out.println("embedded broker started in "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
      EmbeddedKafkaBroker started = broker;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "kafka-test-broker-stop"));
    }
    return broker;
  }

  /** The broker's self-signed certificate, PEM: what a TLS client trusts. */
  static synchronized Path certificate() {
    broker();
    return certificate;
  }

  /** A self-signed certificate for 127.0.0.1 and its PKCS12 key store, made by openssl. */
  private static Path certificates() {
    try {
      Path dir = Files.createTempDirectory("sluice-kafka-tls-");
      run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
          "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
          "-addext", "subjectAltName=IP:127.0.0.1");
      run(dir, "openssl", "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem",
          "-out", "broker.p12", "-passout", "pass:" + KEYSTORE_PASSWORD, "-name", "broker");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(Path dir, String... command) throws IOException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String bootstrap() {
    return broker().bootstrapServers();
  }

  /**
   * Writes {@code count} records, the i-th with {@code key.apply(i)} and {@code value.apply(i)},
   * and fails unless every one was acknowledged.
   */
  static void produce(String topic, int count, IntFunction<String> key, IntFunction<String> value) {
    // Not idempotent, one request in flight (so order holds), generous timeouts: on a loaded
    // machine the idempotent producer's retries were seen to fail with out-of-order sequence
    // errors and expire whole batches of test input.
    Map<String, Object> p = Map.of("bootstrap.servers", bootstrap(), "linger.ms", 5,
        "batch.size", 65536, "request.timeout.ms", 120_000, "delivery.timeout.ms", 300_000,
        "enable.idempotence", false, "acks", "all",
        "max.in.flight.requests.per.connection", 1);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        sent.add(producer.send(new ProducerRecord<>(topic, key.apply(i), value.apply(i))));
        if (i % 2000 == 1999) {
          producer.flush();               // a bounded number of records in flight at a time
        }
      }
      producer.flush();
      for (java.util.concurrent.Future<?> f : sent) {
        f.get(60, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("producing to " + topic + " failed: " + e, e);
    }
  }

  /** Reads {@code topic} from the start until {@code count} records came, or 60 s passed. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int count) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrap());
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = c.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).collect(Collectors.toList());
      c.assign(partitions);
      c.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** The group's committed offsets for {@code topic}'s partitions. */
  static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
    try (Admin admin = admin()) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** The end offset of every partition of {@code topic}. */
  static Map<TopicPartition, Long> endOffsets(String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      request.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    try (Admin admin = admin()) {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> r =
          admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, Long> out = new HashMap<>();
      r.forEach((tp, info) -> out.put(tp, info.offset()));
      return out;
    }
  }

  static Admin admin() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap());
    return Admin.create(p);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static Set<String> headerKeys(ConsumerRecord<?, ?> r) {
    Set<String> keys = new java.util.HashSet<>();
    r.headers().forEach(h -> keys.add(h.key()));
    return keys;
  }
}
