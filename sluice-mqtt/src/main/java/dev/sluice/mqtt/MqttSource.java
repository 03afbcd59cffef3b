package dev.sluice.mqtt;

import dev.sluice.Message;
import dev.sluice.mqtt.internal.Connection;
import dev.sluice.mqtt.internal.Inbox;
import dev.sluice.mqtt.internal.Incoming;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.SourceBacklog;
import dev.sluice.spi.SourceEmitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT subscription as a Sluice source: a {@link Flow.Publisher} of messages whose payload is
 * the PUBLISH payload as bytes, whose topic is the PUBLISH topic, whose headers are its MQTT 5
 * user properties plus {@value #QOS_HEADER}, and whose key is the user property named by
 * {@link Builder#keyProperty} (default {@code key}), or null.
 *
 * <pre>{@code
 * MqttSource source = MqttSource.builder()
 *     .uri("mqtt://127.0.0.1:1883/jobs/#?qos=1&share=workers&client-id=worker-1")
 *     .receiveMaximum(64)                       // = the pipeline's maxInFlight
 *     .build();
 * Pipeline p = Sluice.from(source).workers(8).maxInFlight(64).process(work).to(sink).start();
 * ...
 * p.close();          // drains; the source disconnects once the last ack is sent
 * source.close();     // waits for the client's thread to end (idempotent)
 * }</pre>
 *
 * <p><b>At-least-once.</b> Acknowledgement is manual: a message's PUBACK (PUBREC for QoS 2) is
 * sent only when the pipeline acks it, after its result is written or it is dead-lettered. The
 * session is persistent (stable client id, clean start off, session expiry &gt; 0), so what
 * was unacknowledged when the process died comes back when the same client id reconnects; a
 * nacked message is left unacknowledged for the same reason. Acks on a message from a
 * connection that has since been replaced do nothing; the broker redelivers it instead.
 *
 * <p><b>Flow control.</b> Receive Maximum caps unacknowledged QoS 1/2 deliveries, so the
 * backlog waits at the broker: set it to the pipeline's {@code maxInFlight} where the broker
 * honours it (see {@link Builder#receiveMaximum}). Whatever the broker does, at most
 * {@link Builder#maxBuffered} QoS 1/2 messages wait here for the pipeline; past that the socket
 * is not read. The HiveMQ client acknowledges in arrival order, so a stalled message holds back
 * later acks; see {@link MqttSourceStats}. A QoS 0 subscription has a bounded buffer and an
 * {@link OverflowPolicy}; on a QoS 1/2 subscription a QoS 0 delivery shares the QoS 1/2 buffer
 * and waits for room like the rest. The buffer is core's {@link SourceEmitter}, and what it
 * holds is this source's {@link SourceBacklog}, which the pipeline's capacity model reads.
 *
 * <p><b>Rejects.</b> A payload over {@link Builder#maxPayloadBytes} reaches the pipeline
 * already failed: it is dead-lettered with attempts 0 and a {@link PayloadTooLargeException}
 * (payload empty, original size in {@value #PAYLOAD_BYTES_HEADER}), counted in the pipeline's
 * {@code Stats.deadLettered()} and here in {@link MqttSourceStats#rejected()}, and acked once
 * the dead letter is written.
 *
 * <p><b>Threads.</b> Thread-safe. The client hands each PUBLISH to the source on its
 * application thread ({@code sluice-mqtt-CLIENTID-app}, a daemon; HiveMQ's {@code publishes}
 * flow observes on it), which waits there when the buffer has no room. The subscriber's
 * {@code onNext} runs on that thread or on the thread that calls {@code request}; never
 * concurrently. The connection is opened on {@code subscribe}. It is
 * closed when the subscription is cancelled and every delivered message is settled, or by
 * {@link #close()}, which also waits for the client's thread to end. One subscriber only.
 */
public final class MqttSource implements Flow.Publisher<Message<byte[]>>, SourceBacklog,
    AutoCloseable {

  /** Header holding the original size of a rejected payload. */
  public static final String PAYLOAD_BYTES_HEADER = "sluice-payload-bytes";
  /** Header holding the delivery's QoS, "0", "1" or "2". */
  public static final String QOS_HEADER = "mqtt-qos";

  private static final Logger LOG = LoggerFactory.getLogger(MqttSource.class);

  private final MqttEndpoint endpoint;
  private final List<String> filters;
  private final int qos;
  private final String clientId;
  private final long sessionExpirySeconds;
  private final boolean cleanStart;
  private final int receiveMaximum;
  private final int qos0Buffer;
  private final int maxBuffered;
  private final long stopAfter;
  private final OverflowPolicy overflow;
  private final int maxPayloadBytes;
  private final String keyProperty;
  private final Duration closeTimeout;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> subscribedFuture = new CompletableFuture<>();
  private volatile Inbox inbox;
  private volatile Connection connection;

  private MqttSource(Builder b, MqttEndpoint endpoint, List<String> filters) {
    this.endpoint = endpoint;
    this.filters = filters;
    this.qos = b.qos;
    this.clientId = b.clientId;
    this.sessionExpirySeconds = b.sessionExpiry.getSeconds();
    this.cleanStart = b.cleanStart;
    this.receiveMaximum = b.receiveMaximum;
    this.qos0Buffer = b.qos0Buffer;
    this.maxBuffered = b.maxBuffered;
    this.stopAfter = b.stopAfter;
    this.overflow = b.overflow;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.keyProperty = b.keyProperty;
    this.closeTimeout = b.closeTimeout;
  }

  /** Starts a source configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /** The topic filters subscribed to, with {@code $share/GROUP/} applied. */
  public List<String> filters() {
    return filters;
  }

  /** The broker, without secrets. */
  public MqttEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<byte[]>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    if (!subscribed.compareAndSet(false, true) || closed.get()) {
      SourceEmitter.refuse(subscriber, new IllegalStateException(
          "an MqttSource takes one subscriber, once; it already has one or is closed"));
      return;
    }
    Inbox box = new Inbox(clientId, subscriber, this::message, qos,
        qos == 0 ? qos0Buffer : maxBuffered, overflow, maxPayloadBytes, PAYLOAD_BYTES_HEADER,
        stopAfter, this::closeAsync);
    inbox = box;
    Connection conn = Connection.create(endpoint, clientId, box::offer,
        () -> stats().summaryLine());
    connection = conn;
    conn.connect(cleanStart, sessionExpirySeconds, receiveMaximum)
        .thenCompose(sessionPresent -> conn.subscribe(filters, qos))
        .whenComplete((ok, error) -> {
          if (error != null) {
            // the subscriber gets the error (and reports it); a log line here would say it twice
            LOG.debug("{}: cannot consume {} from {}", clientId, filters, endpoint, error);
            box.fail(error);
            subscribedFuture.completeExceptionally(error);
          } else {
            LOG.info("{}: subscribed to {} at QoS {} on {}", clientId, filters, qos, endpoint);
            subscribedFuture.complete(null);
          }
        });
  }

  private Message<byte[]> message(Incoming in, long sequence, dev.sluice.Acknowledger ack) {
    Map<String, String> headers = in.userProperties();
    Map<String, String> all = new HashMap<>(headers);
    all.put(QOS_HEADER, Integer.toString(in.qos()));
    return Message.builder(in.payload()).topic(in.topic()).key(headers.get(keyProperty))
        .headers(all).sequence(sequence).acknowledger(ack).build();
  }

  /**
   * Completes when the first connection's subscriptions are acknowledged by the broker, or
   * exceptionally when connecting or subscribing failed. Dependents run on the client's
   * application thread: keep them short.
   */
  public CompletableFuture<Void> subscribed() {
    return subscribedFuture.copy();
  }

  /** The connection and the ack window now. Cheap; safe from any thread. */
  public MqttSourceStats stats() {
    Inbox box = inbox;
    Connection conn = connection;
    ConnectionState state = conn == null ? ConnectionState.IDLE : conn.state();
    if (box == null || conn == null) {           // subscribe() sets the inbox, then the connection
      return new MqttSourceStats(state, 0, 0, 0, 0, 0, Duration.ZERO, 0, 0, 0);
    }
    return new MqttSourceStats(state, conn.reconnects(), box.received(), box.acked(),
        box.nacked(), box.unacked(), box.oldestUnacked(), box.buffered(), box.dropped(),
        box.rejected());
  }

  /**
   * Messages received and not yet taken by the pipeline (the buffer), or -1 before
   * {@code subscribe}. Cheap; safe from any thread.
   */
  @Override
  public long backlog() {
    Inbox box = inbox;
    return box == null ? -1 : box.backlog();
  }

  private void closeAsync() {
    Thread closer = new Thread(this::close, "sluice-mqtt-" + clientId + "-close");
    closer.setDaemon(true);
    closer.start();
  }

  /**
   * Stops taking messages (the stream completes once what is buffered is delivered),
   * disconnects (the broker keeps the session and redelivers anything unacknowledged to the
   * next connection with this client id), and waits for the client's thread to end. Call it
   * after the pipeline has ended, or acks still due are lost to this connection (and the
   * messages redelivered later). Idempotent; safe from any thread.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Inbox box = inbox;
    if (box != null) {
      box.close();
    }
    Connection conn = connection;
    if (conn != null) {
      conn.close(closeTimeout);
      LOG.info("{}: closed; {}", clientId, stats().summaryLine());
    }
  }

  @Override
  public String toString() {
    return "MqttSource[" + endpoint + " " + filters + " qos " + qos + " as " + clientId + "]";
  }

  /** Builds an {@link MqttSource}; every setting is checked in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    final MqttEndpoint.Builder endpoint = MqttEndpoint.builder();
    final List<String> topics = new ArrayList<>();
    String share;
    int qos = 1;
    String clientId;
    Duration sessionExpiry = Duration.ofHours(1);
    boolean cleanStart;
    int receiveMaximum = 65535;
    int qos0Buffer = 1024;
    int maxBuffered = 256;
    long stopAfter = Long.MAX_VALUE;
    OverflowPolicy overflow = OverflowPolicy.DROP_OLDEST;
    int maxPayloadBytes = 16 * 1024 * 1024;
    String keyProperty = "key";
    Duration closeTimeout = Duration.ofSeconds(10);

    private Builder() {
    }

    /**
     * Broker, topic filter and options from a URI:
     * {@code mqtt[s]://[user@]host[:port]/FILTER?qos=1&share=GROUP&client-id=ID
     * &session-expiry=1h&version=5&receive-maximum=64&max-buffered=256&topic=ANOTHER/FILTER&clean-start=false
     * &max-payload=1048576&qos0-buffer=1024&overflow=drop-oldest&password-env=VAR
     * &password-file=PATH}. The filter is the URL-decoded path ({@code #} may be written as
     * {@code %23} or, last, as itself). Settings called after this one override it.
     *
     * @throws IllegalArgumentException for an unknown parameter or a bad value, naming it
     */
    public Builder uri(String uri) {
      UriOptions.applyTo(this, uri);
      return this;
    }

    /** The broker settings: host, port, TLS, credentials, version, backoff. */
    public Builder endpoint(java.util.function.Consumer<MqttEndpoint.Builder> settings) {
      settings.accept(endpoint);
      return this;
    }

    /** Topic filters to subscribe to, added to any given before. */
    public Builder topics(String... filters) {
      topics.addAll(List.of(filters));
      return this;
    }

    /** Subscribe as a member of shared-subscription group {@code group}: {@code $share/group/filter}. */
    public Builder share(String group) { this.share = group; return this; }

    /** Subscription QoS, 0, 1 or 2 (default 1). */
    public Builder qos(int qos) { this.qos = qos; return this; }

    /** The client id: stable across restarts so the session (and its unacked messages) returns. Required. */
    public Builder clientId(String clientId) { this.clientId = clientId; return this; }

    /** How long the broker keeps the session after a disconnect (MQTT 5; default 1 h; at least 1 s). */
    public Builder sessionExpiry(Duration expiry) {
      this.sessionExpiry = Objects.requireNonNull(expiry, "sessionExpiry");
      return this;
    }

    /** Discard the broker's session for this client id when connecting (default false). */
    public Builder cleanStart(boolean cleanStart) { this.cleanStart = cleanStart; return this; }

    /**
     * Most unacknowledged QoS 1/2 deliveries the broker may send (MQTT 5 Receive Maximum;
     * default 65535, the protocol's default). On a broker that honours it (HiveMQ, EMQX) set it
     * to the pipeline's maxInFlight: the backlog then waits at the broker with the connection
     * otherwise idle. Mosquitto 2.0.11 does not honour it (after one PUBACK it sends a whole
     * window more), and the HiveMQ client answers an overshoot by closing the connection with a
     * protocol error; there leave the default: {@link #maxBuffered} bounds memory instead.
     */
    public Builder receiveMaximum(int receiveMaximum) { this.receiveMaximum = receiveMaximum; return this; }

    /**
     * Most QoS 1/2 messages received and not yet taken by the pipeline (default 256). When a
     * broker sends more, the client's network thread waits for the pipeline, so the socket is
     * not read and TCP keeps the backlog at the broker; no keep-alive is sent while it waits.
     */
    public Builder maxBuffered(int maxBuffered) { this.maxBuffered = maxBuffered; return this; }

    /**
     * A QoS 0 subscription's buffer size (default 1024) and what happens when it is full
     * (default DROP_OLDEST). A QoS 1/2 subscription has {@link #maxBuffered} instead, and waits.
     */
    public Builder qos0Overflow(int bufferSize, OverflowPolicy policy) {
      this.qos0Buffer = bufferSize;
      this.overflow = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Completes the source after {@code count} messages have been handed to the pipeline, so the
     * pipeline drains and ends by itself (for demos, batch jobs and tests); the connection closes
     * once they are settled. Messages received beyond the count stay unacknowledged and come back
     * to the next connection with this client id. Default: never.
     */
    public Builder stopAfter(long count) { this.stopAfter = count; return this; }

    /**
     * Larger payloads are rejected: dead-lettered by the pipeline with attempts 0 and a
     * {@link PayloadTooLargeException} (see the class comment); default 16 MiB.
     */
    public Builder maxPayloadBytes(int maxPayloadBytes) { this.maxPayloadBytes = maxPayloadBytes; return this; }

    /** The user property whose value becomes the message key (default "key"). */
    public Builder keyProperty(String name) {
      this.keyProperty = Objects.requireNonNull(name, "keyProperty");
      return this;
    }

    /** How long {@link MqttSource#close()} waits for the disconnect and the thread (default 10 s). */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = Objects.requireNonNull(timeout, "closeTimeout");
      return this;
    }

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     */
    public MqttSource build() {
      MqttEndpoint ep = endpoint.build();
      require(!topics.isEmpty(), "at least one topic filter is required");
      require(qos >= 0 && qos <= 2, "qos must be 0, 1 or 2 but was " + qos);
      require(clientId != null && !clientId.isBlank(),
          "clientId must be set: a persistent session needs a stable client id");
      require(clientId.length() <= 65535, "clientId must be <= 65535 characters");
      require(sessionExpiry.getSeconds() >= 1 && sessionExpiry.getSeconds() <= 0xFFFFFFFFL,
          "sessionExpiry must be between 1s and 4294967295s but was " + sessionExpiry);
      require(receiveMaximum >= 1 && receiveMaximum <= 65535,
          "receiveMaximum must be in 1..65535 but was " + receiveMaximum);
      require(qos0Buffer >= 1, "qos0 buffer size must be >= 1 but was " + qos0Buffer);
      require(maxBuffered >= 1, "maxBuffered must be >= 1 but was " + maxBuffered);
      require(stopAfter >= 1, "stopAfter must be >= 1 but was " + stopAfter);
      require(maxPayloadBytes >= 0, "maxPayloadBytes must be >= 0 but was " + maxPayloadBytes);
      require(!closeTimeout.isNegative(), "closeTimeout must be >= 0 but was " + closeTimeout);
      List<String> filters = new ArrayList<>();
      for (String topic : topics) {
        require(topic != null && !topic.isEmpty(), "topic filter must not be empty");
        if (share != null) {
          require(!share.isEmpty() && !share.contains("/") && !share.contains("+")
              && !share.contains("#"), "share group must be non-empty without '/', '+' or '#' "
              + "but was '" + share + "'");
          filters.add("$share/" + share + "/" + topic);
        } else {
          filters.add(topic);
        }
      }
      return new MqttSource(this, ep, List.copyOf(filters));
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
