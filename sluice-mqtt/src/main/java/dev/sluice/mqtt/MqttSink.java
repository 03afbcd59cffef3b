package dev.sluice.mqtt;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.Sink;
import dev.sluice.mqtt.internal.Connection;
import dev.sluice.mqtt.internal.TopicTemplate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Publishes results to MQTT. The topic is fixed or a template: {@code {key}} is the source
 * message's key, {@code {topic}} its topic, {@code {topic.N}} its N-th level (from 0); for
 * example {@code results/{key}} or {@code out/{topic}}. Results that are {@code byte[]} are sent
 * as they are, anything else as the UTF-8 of {@code toString()}.
 *
 * <p><b>Acknowledgement.</b> A write's stage completes when the broker has the message
 * (PUBACK for QoS 1, PUBCOMP for QoS 2, sent for QoS 0), so the pipeline acks the source
 * message only then. A refused publish (PUBACK reason code &ge; 0x80) fails the stage. While
 * the connection is down, publishes wait in the client and are sent after the reconnect.
 *
 * <p><b>Dead letters.</b> {@link #deadLetters} makes a sink for {@code DeadLetter}s: the original
 * payload, with the cause, the attempt count and the source topic as the MQTT 5 user
 * properties {@value #CAUSE_PROPERTY}, {@value #ATTEMPTS_PROPERTY} and
 * {@value #SOURCE_TOPIC_PROPERTY} (MQTT 3.1.1 has no user properties: there they are lost).
 *
 * <p><b>Threads.</b> {@code write} may be called from any thread, but not concurrently (the
 * pipeline guarantees that). Stages complete on the client's event-loop thread. The client
 * connects in {@link Builder#connect()}, persistent session included, so publishes in flight
 * when the connection drops are resent; {@link #close()} disconnects and waits for its thread.
 *
 * @param <R> the result type
 */
public final class MqttSink<R> implements Sink<R> {

  /** User property holding a dead letter's cause. */
  public static final String CAUSE_PROPERTY = "sluice-cause";
  /** User property holding a dead letter's attempt count. */
  public static final String ATTEMPTS_PROPERTY = "sluice-attempts";
  /** User property holding the topic a dead letter came from. */
  public static final String SOURCE_TOPIC_PROPERTY = "sluice-source-topic";

  private final Connection connection;
  private final TopicTemplate topic;
  private final int qos;
  private final boolean retain;
  private final Function<? super R, byte[]> encoder;
  private final Function<? super R, Map<String, String>> properties;
  private final Function<? super R, Message<?>> origin;
  private final Duration closeTimeout;
  private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();

  private MqttSink(Connection connection, Builder b, Function<? super R, byte[]> encoder,
      Function<? super R, Map<String, String>> properties, Function<? super R, Message<?>> origin) {
    this.connection = connection;
    this.topic = TopicTemplate.parse(b.topic);
    this.qos = b.qos;
    this.retain = b.retain;
    this.encoder = encoder;
    this.properties = properties;
    this.origin = origin;
    this.closeTimeout = b.closeTimeout;
  }

  /** Starts a sink configuration. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<Void> write(R result, Message<?> source) {
    Message<?> from = origin != null ? origin.apply(result) : source;
    CompletableFuture<Void> sent = connection.publish(topic.render(from), encoder.apply(result),
        qos, retain, properties.apply(result));
    pending.add(sent);
    sent.whenComplete((v, e) -> pending.remove(sent));
    return sent;
  }

  /** Completes when every publish so far has completed. */
  @Override
  public CompletionStage<Void> flush() {
    return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
        .exceptionally(e -> null);
  }

  /** Waits (up to the close timeout) for publishes still in flight, then disconnects. */
  @Override
  public void close() {
    try {
      flush().toCompletableFuture().get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // closing anyway: what is unconfirmed stays in the session and is resent on reconnect
    }
    connection.close(closeTimeout);
  }

  static byte[] encode(Object result) {
    if (result instanceof byte[]) {
      return (byte[]) result;
    }
    return String.valueOf(result).getBytes(StandardCharsets.UTF_8);
  }

  /** Builds and connects an {@link MqttSink}. Not thread-safe. */
  public static final class Builder {
    private final MqttEndpoint.Builder endpoint = MqttEndpoint.builder();
    private String topic;
    private int qos = 1;
    private boolean retain;
    private String clientId;
    private Duration sessionExpiry = Duration.ofHours(1);
    private Duration closeTimeout = Duration.ofSeconds(10);

    private Builder() {
    }

    /**
     * Broker and options from {@code mqtt[s]://[user@]host[:port]/TOPIC-TEMPLATE?qos=1
     * &retain=false&client-id=ID&version=5&password-env=VAR}. The path is the topic template
     * ({@code %7B}/{@code %7D} or literal braces).
     */
    public Builder uri(String uri) {
      UriOptions.Parts parts = UriOptions.parse(uri.replace("{", "%7B").replace("}", "%7D"));
      endpoint.uri(uri.replace("{", "%7B").replace("}", "%7D"));
      if (!parts.path().isEmpty()) {
        topic = parts.path();
      }
      String user = UriOptions.userOf(uri.replace("{", "%7B").replace("}", "%7D"));
      for (Map.Entry<String, String> p : parts.params().entrySet()) {
        String v = p.getValue();
        switch (p.getKey()) {
          case "qos": qos = UriOptions.integer("qos", v); break;
          case "retain": retain = UriOptions.bool("retain", v); break;
          case "client-id": clientId = v; break;
          case "session-expiry": sessionExpiry = UriOptions.duration("session-expiry", v); break;
          default:
            if (!UriOptions.common(p.getKey(), v, user, endpoint)) {
              throw new IllegalArgumentException("unknown parameter '" + p.getKey() + "' in "
                  + MqttEndpoint.redact(uri));
            }
        }
      }
      return this;
    }

    /** The broker settings: host, port, TLS, credentials, version, backoff. */
    public Builder endpoint(java.util.function.Consumer<MqttEndpoint.Builder> settings) {
      settings.accept(endpoint);
      return this;
    }

    /** The topic or topic template; required. */
    public Builder topic(String topic) { this.topic = topic; return this; }

    /** Publish QoS, 0, 1 or 2 (default 1). */
    public Builder qos(int qos) { this.qos = qos; return this; }

    /** The retain flag (default false). */
    public Builder retain(boolean retain) { this.retain = retain; return this; }

    /** The client id (default: a random one; give a stable one so unconfirmed publishes survive a reconnect's session). */
    public Builder clientId(String clientId) { this.clientId = clientId; return this; }

    /** Session expiry for the sink's own session (default 1 h). */
    public Builder sessionExpiry(Duration expiry) {
      this.sessionExpiry = Objects.requireNonNull(expiry, "sessionExpiry");
      return this;
    }

    /** How long {@code close()} waits for in-flight publishes and the disconnect (default 10 s). */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = Objects.requireNonNull(timeout, "closeTimeout");
      return this;
    }

    /**
     * Checks the settings and connects, waiting up to the endpoint's connect timeout.
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     * @throws IllegalStateException    if the broker cannot be reached or refuses the connection
     */
    public <R> MqttSink<R> connect() {
      return connect(MqttSink::encode, r -> Map.of(), null);
    }

    /**
     * Like {@link #connect()}, for dead letters: the original payload ({@code byte[]} as is,
     * else UTF-8 text) to the topic template, which sees the original message; cause, attempts
     * and source topic as user properties.
     */
    public <T> MqttSink<DeadLetter<T>> deadLetters() {
      return connect(letter -> encode(letter.message().payload()), MqttSink::letterProperties,
          DeadLetter::message);
    }

    private <R> MqttSink<R> connect(Function<? super R, byte[]> encoder,
        Function<? super R, Map<String, String>> properties, Function<? super R, Message<?>> origin) {
      MqttEndpoint ep = endpoint.build();
      if (topic == null || topic.isEmpty()) {
        throw new IllegalArgumentException("topic must be set");
      }
      TopicTemplate.parse(topic);
      if (qos < 0 || qos > 2) {
        throw new IllegalArgumentException("qos must be 0, 1 or 2 but was " + qos);
      }
      if (sessionExpiry.getSeconds() < 0 || sessionExpiry.getSeconds() > 0xFFFFFFFFL) {
        throw new IllegalArgumentException(
            "sessionExpiry must be between 0s and 4294967295s but was " + sessionExpiry);
      }
      String id = clientId != null ? clientId
          : "sluice-sink-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
      Connection conn = Connection.create(ep, id, null, null);
      try {
        conn.connect(false, sessionExpiry.getSeconds(), 65535)
            .get(ep.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        conn.close(closeTimeout);
        throw new IllegalStateException("interrupted while connecting to " + ep, e);
      } catch (ExecutionException | TimeoutException e) {
        conn.close(closeTimeout);
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        throw new IllegalStateException("cannot connect to " + ep + ": " + cause, cause);
      }
      return new MqttSink<>(conn, this, encoder, properties, origin);
    }
  }

  private static Map<String, String> letterProperties(DeadLetter<?> letter) {
    Map<String, String> map = new LinkedHashMap<>();
    map.put(CAUSE_PROPERTY, String.valueOf(letter.cause()));
    map.put(ATTEMPTS_PROPERTY, Integer.toString(letter.attempts()));
    if (letter.message().topic() != null) {
      map.put(SOURCE_TOPIC_PROPERTY, letter.message().topic());
    }
    return map;
  }
}
