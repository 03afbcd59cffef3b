package dev.sluice.sqs;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.Sink;
import dev.sluice.sqs.internal.IdTemplate;
import dev.sluice.sqs.internal.Queues;
import dev.sluice.sqs.internal.SendBatcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Sends each result to an SQS queue as one message, batched with {@code SendMessageBatch}
 * (ten at a time, or within {@link Builder#linger}). A write completes when SQS has accepted
 * that message, so the source message is acknowledged only then. An entry SQS failed on its
 * side, or a call that failed, is retried with backoff up to {@link Builder#maxAttempts}; an
 * entry SQS refused (a body with characters SQS does not allow, a missing FIFO group id) fails
 * its write with SQS's reason, which fails the pipeline.
 *
 * <pre>{@code
 * SqsSink<String> sink = SqsSink.<String>builder()
 *     .endpoint(SqsEndpoint.builder().region("eu-west-1").build())
 *     .queue("results.fifo")
 *     .groupId("{key}")                       // FIFO: same key, same group, kept in order
 *     .deduplicationId("{message-id}")        // FIFO: a redelivered input is sent once
 *     .build();
 * }</pre>
 *
 * <p>{@link #deadLetters} makes a sink for a pipeline's dead letters: the original body, with
 * the error as message attributes.
 *
 * <p><b>Threads.</b> Thread-safe. {@code write} queues and returns; it blocks only while
 * {@link Builder#maxPending} messages already wait. One thread of its own
 * ({@code sluice-sqs-QUEUE-send}) makes the calls and completes the writes' stages.
 *
 * @param <R> the result type
 */
public final class SqsSink<R> implements Sink<R>, AutoCloseable {

  /** Dead-letter attribute: the cause, as {@code Class: message}. */
  public static final String ERROR_ATTRIBUTE = "sluice-error";
  /** Dead-letter attribute: how many attempts were made (0: it never reached a worker). */
  public static final String ATTEMPTS_ATTRIBUTE = "sluice-attempts";
  /** Dead-letter attribute: the queue or topic the message came from. */
  public static final String SOURCE_ATTRIBUTE = "sluice-source";
  /** Dead-letter attribute: the SQS message id it had there, when it came from SQS. */
  public static final String SOURCE_MESSAGE_ID_ATTRIBUTE = "sluice-source-message-id";

  private static final int MAX_ATTRIBUTES = 10;
  private static final int MAX_ERROR_CHARS = 1024;

  private final String queueName;
  private final SqsClient client;
  private final boolean ownsClient;
  private final Function<? super R, String> body;
  private final Function<? super R, Map<String, String>> attributes;
  private final IdTemplate groupId;
  private final IdTemplate deduplicationId;
  private final Duration closeTimeout;
  private final SendBatcher batcher;
  private volatile boolean closed;

  private SqsSink(Builder<R> b) {
    this.queueName = Queues.name(b.queue);
    this.ownsClient = b.client == null;
    this.client = b.client != null ? b.client : b.endpoint.newClient(Duration.ofSeconds(30));
    this.body = b.body;
    this.attributes = b.attributes;
    this.groupId = b.groupId;
    this.deduplicationId = b.deduplicationId;
    this.closeTimeout = b.closeTimeout;
    String queue = b.queue;
    this.batcher = new SendBatcher(client, () -> Queues.url(client, queue),
        "sluice-sqs-" + queueName, b.linger, b.maxAttempts, b.maxPending);
  }

  /** Starts a sink configuration. */
  public static <R> Builder<R> builder() {
    return new Builder<>();
  }

  /**
   * A sink for dead letters: each is sent with its original body and, as message attributes,
   * {@value #ERROR_ATTRIBUTE}, {@value #ATTEMPTS_ATTRIBUTE}, {@value #SOURCE_ATTRIBUTE},
   * {@value #SOURCE_MESSAGE_ID_ATTRIBUTE} and as many of the original message's attributes as
   * fit in SQS's ten. On a FIFO queue the group id is the original key (or message id) and the
   * deduplication id the original message id, so a dead letter written twice is kept once.
   * Configure endpoint and queue on {@code builder}; its body and attributes are replaced.
   */
  public static SqsSink<DeadLetter<?>> deadLetters(Builder<DeadLetter<?>> builder) {
    builder.body(letter -> String.valueOf(letter.message().payload()))
        .attributes(SqsSink::deadLetterAttributes);
    if (builder.queue != null && Queues.isFifo(builder.queue)) {
      if (builder.groupId == null) {
        builder.groupId("{key}");
      }
      if (builder.deduplicationId == null) {
        builder.deduplicationId("{message-id}");
      }
    }
    return builder.build();
  }

  private static Map<String, String> deadLetterAttributes(DeadLetter<?> letter) {
    Map<String, String> out = new LinkedHashMap<>();
    String cause = letter.cause().getClass().getName() + ": " + letter.cause().getMessage();
    out.put(ERROR_ATTRIBUTE, cause.length() > MAX_ERROR_CHARS
        ? cause.substring(0, MAX_ERROR_CHARS) : cause);
    out.put(ATTEMPTS_ATTRIBUTE, Integer.toString(letter.attempts()));
    Message<?> m = letter.message();
    if (m.topic() != null) {
      out.put(SOURCE_ATTRIBUTE, m.topic());
    }
    String id = m.headers().get(SqsSource.MESSAGE_ID_HEADER);
    if (id != null) {
      out.put(SOURCE_MESSAGE_ID_ATTRIBUTE, id);
    }
    for (Map.Entry<String, String> h : m.headers().entrySet()) {
      if (out.size() == MAX_ATTRIBUTES) {
        break;
      }
      if (!h.getKey().startsWith("sqs-")) {
        out.putIfAbsent(h.getKey(), h.getValue());
      }
    }
    return out;
  }

  /** The queue's name. */
  public String queueName() {
    return queueName;
  }

  /** Messages SQS accepted so far. */
  public long sent() {
    return batcher.sent.sum();
  }

  /** Entries sent again after SQS or the network failed them. */
  public long retried() {
    return batcher.retried.sum();
  }

  @Override
  public CompletionStage<Void> write(R result, Message<?> source) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      Map<String, MessageAttributeValue> attrs = Map.of();
      if (attributes != null) {
        Map<String, String> given = attributes.apply(result);
        attrs = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
          if (e.getValue() != null && !e.getValue().isEmpty()) {
            attrs.put(e.getKey(), MessageAttributeValue.builder().dataType("String")
                .stringValue(e.getValue()).build());
          }
        }
      }
      batcher.send(new SendBatcher.Entry(body.apply(result), attrs,
          groupId == null ? null : groupId.render(source),
          deduplicationId == null ? null : deduplicationId.render(source), done));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done.completeExceptionally(e);
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public CompletionStage<Void> flush() {
    return batcher.flush();
  }

  /** Sends what is queued (up to the close timeout), then stops. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      batcher.close(closeTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (ownsClient) {
        client.close();
      }
    }
  }

  @Override
  public String toString() {
    return "SqsSink[" + queueName + "]";
  }

  /** The default body: a String as it is, bytes as UTF-8, anything else by toString. */
  static String defaultBody(Object result) {
    if (result instanceof byte[]) {
      return new String((byte[]) result, StandardCharsets.UTF_8);
    }
    return String.valueOf(result);
  }

  /**
   * Configures an {@link SqsSink}; settings are checked in {@link #build()}, which names the
   * bad one. Not thread-safe.
   *
   * @param <R> the result type
   */
  public static final class Builder<R> {
    private SqsEndpoint endpoint;
    private SqsClient client;
    private String queue;
    private Function<? super R, String> body = SqsSink::defaultBody;
    private Function<? super R, Map<String, String>> attributes;
    private IdTemplate groupId;
    private IdTemplate deduplicationId;
    private Duration linger = Duration.ofMillis(50);
    private int maxAttempts = 5;
    private int maxPending = 1000;
    private Duration closeTimeout = Duration.ofSeconds(30);

    private Builder() {
    }

    /** Where SQS is; credentials come from the SDK's default chain. */
    public Builder<R> endpoint(SqsEndpoint endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** A client of your own instead of an {@link #endpoint}; the sink does not close it. */
    public Builder<R> client(SqsClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The queue's name, or its full URL. */
    public Builder<R> queue(String queue) {
      this.queue = Objects.requireNonNull(queue, "queue");
      return this;
    }

    /** The message body for a result (default: Strings as they are, bytes as UTF-8). */
    public Builder<R> body(Function<? super R, String> body) {
      this.body = Objects.requireNonNull(body, "body");
      return this;
    }

    /** String message attributes for a result (default none); SQS allows ten. */
    public Builder<R> attributes(Function<? super R, Map<String, String>> attributes) {
      this.attributes = Objects.requireNonNull(attributes, "attributes");
      return this;
    }

    /**
     * The FIFO message group id, from a template over the source message: {@code {key}},
     * {@code {topic}}, {@code {message-id}}, {@code {header:NAME}}. Required on FIFO queues.
     */
    public Builder<R> groupId(String template) {
      this.groupId = IdTemplate.parse(Objects.requireNonNull(template, "groupId"), "group id");
      return this;
    }

    /**
     * The FIFO deduplication id, a template like {@link #groupId}; leave it out on a queue
     * with content-based deduplication.
     */
    public Builder<R> deduplicationId(String template) {
      this.deduplicationId = IdTemplate.parse(Objects.requireNonNull(template,
          "deduplicationId"), "deduplication id");
      return this;
    }

    /** The longest a message waits to be batched with others (default 50 ms). */
    public Builder<R> linger(Duration linger) {
      this.linger = Objects.requireNonNull(linger, "linger");
      return this;
    }

    /** Attempts per message when SQS or the network fails it (default 5). */
    public Builder<R> maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The most messages waiting to be sent before {@code write} blocks (default 1000). */
    public Builder<R> maxPending(int maxPending) {
      this.maxPending = maxPending;
      return this;
    }

    /** How long {@link SqsSink#close()} waits to send what is queued (default 30 s). */
    public Builder<R> closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
      return this;
    }

    /**
     * Checks the settings and starts the sink's send thread (it connects on the first send).
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     */
    public SqsSink<R> build() {
      require(queue != null, "queue is required");
      Queues.checkName(queue);
      require(endpoint != null ^ client != null,
          "give exactly one of endpoint(...) or client(...)");
      if (Queues.isFifo(queue)) {
        require(groupId != null, "queue " + Queues.name(queue) + " is FIFO: give a group id"
            + " template, e.g. groupId(\"{key}\")");
      } else {
        require(groupId == null && deduplicationId == null, "group and deduplication ids are"
            + " for FIFO queues (names ending .fifo) but queue is " + Queues.name(queue));
      }
      require(!linger.isNegative() && linger.compareTo(Duration.ofSeconds(10)) <= 0,
          "linger must be from 0 to 10s but was " + linger.toMillis() + "ms");
      require(maxAttempts >= 1, "maxAttempts must be >= 1 but was " + maxAttempts);
      require(maxPending >= 1, "maxPending must be >= 1 but was " + maxPending);
      require(!closeTimeout.isNegative(), "closeTimeout must be >= 0 but was " + closeTimeout);
      return new SqsSink<>(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
