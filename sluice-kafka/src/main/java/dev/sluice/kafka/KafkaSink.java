package dev.sluice.kafka;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.Sink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Results to a Kafka topic through an idempotent producer ({@code enable.idempotence=true},
 * {@code acks=all}): a write completes when every in-sync replica has the record, so the
 * source message is acknowledged only then. The topic is a template where {@code {topic}} is
 * the source message's topic and {@code {key}} its key; the record key is the message's key as
 * UTF-8 (none when it has none), so results keep their key's partition and order.
 *
 * <pre>{@code
 * KafkaSink<byte[]> results = KafkaSink.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .topic("{topic}.results")
 *     .build();
 * Sink<DeadLetter<byte[]>> dlq = KafkaSink.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .topic("{topic}.dlq")
 *     .buildDeadLetters();
 * }</pre>
 *
 * <p><b>Dead letters.</b> {@link Builder#buildDeadLetters()} writes the original payload and
 * key with the original headers plus {@value #ERROR_HEADER} (the cause),
 * {@value #ATTEMPTS_HEADER}, {@value #ORIGINAL_TOPIC_HEADER},
 * {@value #ORIGINAL_PARTITION_HEADER} and {@value #ORIGINAL_OFFSET_HEADER}.
 *
 * <p><b>Threads.</b> As every {@link Sink}: the pipeline calls {@code write} from one thread at
 * a time. The returned stages complete on the producer's I/O thread. {@link #flush()} blocks
 * until every write so far is acknowledged.
 *
 * @param <R> the result type
 */
public final class KafkaSink<R> implements Sink<R> {

  /** Dead-letter header: the cause, as {@code Throwable.toString()}. */
  public static final String ERROR_HEADER = "sluice.error";
  /** Dead-letter header: how many attempts were made. */
  public static final String ATTEMPTS_HEADER = "sluice.attempts";
  /** Dead-letter header: the topic the message came from. */
  public static final String ORIGINAL_TOPIC_HEADER = "sluice.original.topic";
  /** Dead-letter header: the partition the message came from, when it came from Kafka. */
  public static final String ORIGINAL_PARTITION_HEADER = "sluice.original.partition";
  /** Dead-letter header: the offset the message came from, when it came from Kafka. */
  public static final String ORIGINAL_OFFSET_HEADER = "sluice.original.offset";

  private final KafkaProducer<byte[], byte[]> producer;
  private final String template;
  private final Function<? super R, byte[]> encoder;
  private final Function<? super R, Message<?>> messageOf;
  private final boolean deadLetters;
  private final Duration closeTimeout;

  private KafkaSink(Builder b, Function<? super R, byte[]> encoder,
      Function<? super R, Message<?>> messageOf, boolean deadLetters) {
    this.producer = new KafkaProducer<>(b.producerProperties(), new ByteArraySerializer(),
        new ByteArraySerializer());
    this.template = b.topic;
    this.encoder = encoder;
    this.messageOf = messageOf;
    this.deadLetters = deadLetters;
    this.closeTimeout = b.closeTimeout;
  }

  /** Starts a sink configuration. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<Void> write(R result, Message<?> source) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      Message<?> origin = messageOf.apply(result);
      Message<?> about = origin != null ? origin : source;
      Object key = about.key();
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topicFor(about), null,
          key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8),
          encoder.apply(result), deadLetters ? deadLetterHeaders(result) : null);
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(error);
        }
      });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private String topicFor(Message<?> m) {
    String topic = template;
    if (topic.contains("{topic}")) {
      topic = topic.replace("{topic}", m.topic() == null ? "_" : m.topic());
    }
    if (topic.contains("{key}")) {
      topic = topic.replace("{key}", m.key() == null ? "_" : m.key().toString());
    }
    return topic;
  }

  private RecordHeaders deadLetterHeaders(R result) {
    DeadLetter<?> letter = (DeadLetter<?>) result;
    Message<?> m = letter.message();
    RecordHeaders headers = new RecordHeaders();
    m.headers().forEach((k, v) -> {
      if (!k.equals(KafkaSource.PARTITION_HEADER) && !k.equals(KafkaSource.OFFSET_HEADER)
          && !k.equals(KafkaSource.TIMESTAMP_HEADER)) {
        headers.add(k, v.getBytes(StandardCharsets.UTF_8));
      }
    });
    headers.add(ERROR_HEADER, utf8(String.valueOf(letter.cause())));
    headers.add(ATTEMPTS_HEADER, utf8(Integer.toString(letter.attempts())));
    if (m.topic() != null) {
      headers.add(ORIGINAL_TOPIC_HEADER, utf8(m.topic()));
    }
    String partition = m.headers().get(KafkaSource.PARTITION_HEADER);
    if (partition != null) {
      headers.add(ORIGINAL_PARTITION_HEADER, utf8(partition));
    }
    if (m.headers().containsKey(KafkaSource.OFFSET_HEADER)) {
      headers.add(ORIGINAL_OFFSET_HEADER, utf8(m.headers().get(KafkaSource.OFFSET_HEADER)));
    }
    return headers;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Blocks until every record sent so far is acknowledged (or failed). */
  @Override
  public CompletionStage<Void> flush() {
    producer.flush();
    return DONE;
  }

  @Override
  public void close() {
    producer.close(closeTimeout);
  }

  /**
   * Builds a {@link KafkaSink}. Not thread-safe: use it from one thread.
   */
  public static final class Builder {
    private String bootstrapServers;
    private String topic;
    private KafkaSecurity security = KafkaSecurity.NONE;
    private Duration closeTimeout = Duration.ofSeconds(30);
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {
    }

    /** {@code host:port[,host:port...]}; required. */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      return this;
    }

    /** The topic, with {@code {topic}} and {@code {key}} filled from the source; required. */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** TLS and SASL; default none. */
    public Builder security(KafkaSecurity security) {
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /** How long close waits for unsent records; default 30 seconds. */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout must be >= 0 but was " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * A KafkaProducer property passed through (e.g. {@code linger.ms}, {@code compression.type});
     * {@code acks} and {@code enable.idempotence} stay {@code all} and {@code true}.
     */
    public Builder property(String name, String value) {
      properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** A sink of byte-array results. */
    public KafkaSink<byte[]> build() {
      return build(bytes -> bytes);
    }

    /** A sink of results that {@code encoder} turns into record values. */
    public <R> KafkaSink<R> build(Function<? super R, byte[]> encoder) {
      check();
      Objects.requireNonNull(encoder, "encoder");
      return new KafkaSink<>(this, encoder, r -> null, false);
    }

    /** A dead-letter sink: the original payload and key, with the headers described above. */
    public KafkaSink<DeadLetter<byte[]>> buildDeadLetters() {
      check();
      return new KafkaSink<>(this, letter -> letter.message().payload(), DeadLetter::message,
          true);
    }

    private void check() {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers is required, e.g. 127.0.0.1:9092");
      }
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("topic is required");
      }
    }

    Map<String, Object> producerProperties() {
      Map<String, Object> p = new HashMap<>();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.putAll(security.properties());
      p.putAll(properties);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      p.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
      p.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
      return p;
    }
  }
}
