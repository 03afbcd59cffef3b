package dev.sluice.sqs;

import dev.sluice.Message;
import dev.sluice.Ticker;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.SourceBacklog;
import dev.sluice.spi.SourceConnection;
import dev.sluice.spi.SourceEmitter;
import dev.sluice.sqs.internal.AbortableHttpClient;
import dev.sluice.sqs.internal.Queues;
import dev.sluice.sqs.internal.Receiver;
import dev.sluice.sqs.internal.Settler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS queue as a Sluice source: a {@link Flow.Publisher} of messages whose payload is the
 * message body, whose topic is the queue name, whose headers are the message attributes plus
 * the system attributes below, and whose key is the FIFO message group id, or else the message
 * attribute named by {@link Builder#keyAttribute} (default {@code key}), or null.
 *
 * <pre>{@code
 * SqsSource source = SqsSource.builder()
 *     .endpoint(SqsEndpoint.builder().region("eu-west-1").build())
 *     .queue("jobs")
 *     .build();
 * Pipeline p = Sluice.from(source).workers(8).process(work).to(sink).start();
 * ...
 * p.close();        // drains: what finished is acknowledged
 * source.close();   // deletes what was acknowledged, releases the rest, stops its threads
 * }</pre>
 *
 * <p><b>Flow control.</b> Each long-polling {@code ReceiveMessage} asks for at most the
 * pipeline's outstanding demand (its free room), never more than 10, so nothing waits here:
 * a message is either in the queue or in the pipeline. A receive is also held back while more
 * than {@link Builder#maxUnsettled} messages wait for their delete.
 *
 * <p><b>Acknowledgement.</b> {@code ack} deletes the message, {@code nack} makes it visible
 * again at once (visibility 0) so any consumer gets it; both are batched ten at a time or
 * within {@link Builder#settleLinger}. While a message is in progress, its visibility timeout
 * is extended whenever half of it has passed, so slow work is not handed to a second consumer,
 * up to {@link Builder#maxExtension} after receipt.
 *
 * <p><b>Threads.</b> Thread-safe. Built on the core's {@code SourceEmitter} as a source that
 * reads on demand: {@code onNext} runs on the source's receive thread
 * ({@code sluice-sqs-QUEUE-receive}, a daemon) or on the thread that calls {@code request},
 * never concurrently; all deletes, releases and extensions run on its
 * settle thread ({@code sluice-sqs-QUEUE-settle}). Both start on {@code subscribe} and end with
 * {@link #close()}. One subscriber only.
 */
public final class SqsSource implements Flow.Publisher<Message<String>>, SourceBacklog,
    SourceConnection, AutoCloseable {

  /** Header holding the SQS message id. */
  public static final String MESSAGE_ID_HEADER = "sqs-message-id";
  /** Header holding ApproximateReceiveCount: 1 on first delivery. */
  public static final String RECEIVE_COUNT_HEADER = "sqs-receive-count";
  /** Header holding SentTimestamp, epoch milliseconds. */
  public static final String SENT_TIMESTAMP_HEADER = "sqs-sent-timestamp";
  /** Header holding ApproximateFirstReceiveTimestamp, epoch milliseconds. */
  public static final String FIRST_RECEIVE_TIMESTAMP_HEADER = "sqs-first-receive-timestamp";
  /** Header holding the FIFO MessageGroupId. */
  public static final String GROUP_ID_HEADER = "sqs-message-group-id";
  /** Header holding the FIFO MessageDeduplicationId. */
  public static final String DEDUPLICATION_ID_HEADER = "sqs-deduplication-id";
  /** Header holding the FIFO SequenceNumber. */
  public static final String SEQUENCE_NUMBER_HEADER = "sqs-sequence-number";

  private static final Logger LOG = LoggerFactory.getLogger(SqsSource.class);
  private static final Map<String, String> SYSTEM_HEADERS = Map.of(
      "ApproximateReceiveCount", RECEIVE_COUNT_HEADER,
      "SentTimestamp", SENT_TIMESTAMP_HEADER,
      "ApproximateFirstReceiveTimestamp", FIRST_RECEIVE_TIMESTAMP_HEADER,
      "MessageGroupId", GROUP_ID_HEADER,
      "MessageDeduplicationId", DEDUPLICATION_ID_HEADER,
      "SequenceNumber", SEQUENCE_NUMBER_HEADER);

  private final Builder config;
  private final String queueName;
  private final AbortableHttpClient http;
  private final SqsClient client;
  private final boolean ownsClient;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAccumulator oldestSentMillis = new LongAccumulator(Math::min, Long.MAX_VALUE);
  private final AtomicLong received = new AtomicLong();
  private final java.util.concurrent.CompletableFuture<Void> ready =
      new java.util.concurrent.CompletableFuture<>();
  private volatile Receiver receiver;
  private volatile Settler settler;
  private volatile long[] depth = {-1, -1, -1};
  private volatile long oldestAgeMillis;

  private SqsSource(Builder b) {
    this.config = b;
    this.queueName = Queues.name(b.queue);
    if (b.client != null) {
      this.http = null;
      this.client = b.client;
      this.ownsClient = false;
    } else {
      this.http = new AbortableHttpClient(UrlConnectionHttpClient.builder()
          .socketTimeout(b.waitTime.plusSeconds(15))
          .connectionTimeout(Duration.ofSeconds(10))
          .build());
      this.client = b.endpoint.newClientOver(http);
      this.ownsClient = true;
    }
  }

  /** Starts a source configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /** The queue's name. */
  public String queueName() {
    return queueName;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<String>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    if (!subscribed.compareAndSet(false, true) || closed.get()) {
      SourceEmitter.refuse(subscriber, new IllegalStateException(
          "an SqsSource takes one subscriber, once; it already has one or is closed"));
      return;
    }
    Receiver r = new Receiver(client, config.queue, "sluice-sqs-" + queueName,
        config.waitTime, config.visibility, config.stopAfter, http == null ? t -> { } : http::abort,
        this::open, this::toMessage, ready);
    receiver = r;
    r.start(subscriber);
  }

  /** Called on the receive thread once the queue URL is known: starts the settle thread. */
  private Settler open(String queueUrl) {
    // Read even when a visibility is given: it proves the queue is there and ours to read.
    String seconds = Queues.attributes(client, queueUrl, QueueAttributeName.VISIBILITY_TIMEOUT)
        .get(QueueAttributeName.VISIBILITY_TIMEOUT);
    Duration visibility = config.visibility != null ? config.visibility
        : Duration.ofSeconds(seconds == null ? 30 : Long.parseLong(seconds));
    if (visibility.compareTo(Duration.ofSeconds(1)) < 0) {
      LOG.warn("{}: visibility timeout is {} s: every message is visible to other consumers"
          + " at once; set a visibility of a few seconds or more", queueName, visibility.toSeconds());
      visibility = Duration.ofSeconds(1);
    }
    Ticker ticker = config.ticker;
    Settler s = new Settler(client, queueUrl, "sluice-sqs-" + queueName, visibility,
        config.maxExtension, config.settleLinger, config.maxUnsettled, ticker::nanoTime,
        () -> {
          Receiver r = receiver;
          if (r != null) {
            r.wake();
          }
        },
        config.statsInterval.isZero() ? null : () -> sample(queueUrl),
        config.statsInterval.isZero() ? null : config.statsInterval);
    settler = s;
    s.start();
    LOG.info("{}: receiving from {} (visibility {} s, long polls of {} s)", queueName, queueUrl,
        visibility.toSeconds(), config.waitTime.toSeconds());
    return s;
  }

  private Message<String> toMessage(software.amazon.awssdk.services.sqs.model.Message m,
      Settler.Tracked ack) {
    received.incrementAndGet();
    Map<String, String> headers = new java.util.HashMap<>();
    m.messageAttributes().forEach((name, value) -> {
      if (value.stringValue() != null) {
        headers.put(name, value.stringValue());
      } else if (value.binaryValue() != null) {
        headers.put(name, java.util.Base64.getEncoder().encodeToString(value.binaryValue().asByteArray()));
      }
    });
    Map<String, String> system = m.attributesAsStrings();
    system.forEach((name, value) -> {
      String header = SYSTEM_HEADERS.get(name);
      if (header != null) {
        headers.put(header, value);
      }
    });
    headers.put(MESSAGE_ID_HEADER, m.messageId());
    String sent = system.get("SentTimestamp");
    if (sent != null) {
      try {
        oldestSentMillis.accumulate(Long.parseLong(sent));
      } catch (NumberFormatException e) {
        // not ours to judge: the header keeps it as SQS sent it
      }
    }
    String group = system.get("MessageGroupId");
    Object key = group != null ? group : headers.get(config.keyAttribute);
    return Message.builder(m.body() == null ? "" : m.body()).topic(queueName).key(key)
        .headers(headers).acknowledger(ack).build();
  }

  /** Settle thread: samples the queue's depth and the oldest age seen since the last sample. */
  private void sample(String queueUrl) {
    long oldest = oldestSentMillis.getThenReset();
    oldestAgeMillis = oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
    Map<QueueAttributeName, String> a = Queues.attributes(client, queueUrl,
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
    depth = new long[] {
        parse(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)),
        parse(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)),
        parse(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))};
  }

  private static long parse(String value) {
    try {
      return value == null ? -1 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Completes once, after {@code subscribe}, the queue has answered (its URL and attributes
   * read), or exceptionally when that failed for good (no such queue, access denied, no
   * credentials). Dependents run on the receive thread: keep them short.
   */
  public java.util.concurrent.CompletableFuture<Void> ready() {
    return ready.copy();
  }

  /**
   * The queue's approximate depth (ApproximateNumberOfMessages) at the last sample, or -1
   * before the first or with sampling off: the messages ready and not yet received, which the
   * pipeline's capacity model reads to measure the offered load. Cheap; any thread.
   */
  @Override
  public long backlog() {
    return depth[0];
  }

  /** Where the source's connection stands; {@link ConnectionState#IDLE} before subscribe. */
  @Override
  public ConnectionState state() {
    Receiver r = receiver;
    return r == null ? ConnectionState.IDLE : r.state();
  }

  /** True while the queue answers (the state is {@link ConnectionState#CONNECTED}). */
  public boolean connected() {
    return state() == ConnectionState.CONNECTED;
  }

  /** What this source did so far and the queue's last sampled depth. Cheap; any thread. */
  public SqsSourceStats stats() {
    Settler s = settler;
    long[] d = depth;
    return new SqsSourceStats(state(), received.get(),
        s == null ? 0 : s.deleted(), s == null ? 0 : s.released(),
        s == null ? 0 : s.extended(), s == null ? 0 : s.lost(),
        s == null ? 0 : s.ceilingReached(), s == null ? 0 : s.inProgress(),
        d[0], d[1], d[2], Duration.ofMillis(oldestAgeMillis));
  }

  /**
   * Stops receiving (aborting a long poll in progress), releases every message still in
   * progress so another consumer gets it now, sends the deletes and releases still queued, and
   * ends the source's threads. Call it after the pipeline has ended, so that everything it
   * finished is deleted first. Idempotent; safe from any thread; waits up to the
   * {@link Builder#closeTimeout}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + config.closeTimeout.toNanos();
    try {
      Receiver r = receiver;
      if (r != null) {
        r.stop(remaining(deadline));
      }
      Settler s = settler;
      if (s != null && !s.close(remaining(deadline))) {
        LOG.warn("{}: closed before every delete was sent; {} messages will be delivered again",
            queueName, s.unsettled());
      }
      LOG.info("{}: closed; {}", queueName, stats().summaryLine());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (ownsClient) {
        client.close();
      }
    }
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /**
   * Configures an {@link SqsSource}; every setting is checked in {@link #build()}, which names
   * the setting and its bad value. Not thread-safe.
   */
  public static final class Builder {
    private SqsEndpoint endpoint;
    private SqsClient client;
    private String queue;
    private Duration waitTime = Duration.ofSeconds(20);
    private Duration visibility;
    private Duration maxExtension = Duration.ofHours(12);
    private Duration settleLinger = Duration.ofMillis(50);
    private int maxUnsettled = 1000;
    private String keyAttribute = "key";
    private long stopAfter = Long.MAX_VALUE;
    private Duration statsInterval = Duration.ofSeconds(2);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private Ticker ticker = Ticker.system();

    private Builder() {
    }

    /** Where SQS is (region, endpoint override); credentials come from the SDK's chain. */
    public Builder endpoint(SqsEndpoint endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * A client of your own instead of an {@link #endpoint}; the source does not close it.
     * Its HTTP read timeout must exceed {@link #waitTime}, and {@link SqsSource#close()}
     * cannot cut a long poll short through it (it waits for the poll to end).
     */
    public Builder client(SqsClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The queue's name, or its full URL. */
    public Builder queue(String queue) {
      this.queue = Objects.requireNonNull(queue, "queue");
      return this;
    }

    /** How long one receive waits for messages, 0–20 s (default 20 s: long polling). */
    public Builder waitTime(Duration waitTime) {
      this.waitTime = Objects.requireNonNull(waitTime, "waitTime");
      return this;
    }

    /**
     * The visibility timeout asked for on each receive, whole seconds from 1 s to 12 h
     * (default: the queue's own). Extensions renew it by the same amount.
     */
    public Builder visibilityTimeout(Duration visibility) {
      this.visibility = Objects.requireNonNull(visibility, "visibility");
      return this;
    }

    /**
     * How long after receipt a message in progress keeps being extended (default 12 h, SQS's
     * own limit). Past it the message becomes visible and another consumer may take it: pair
     * it with the pipeline's {@code timeout} so stuck work is given up first.
     */
    public Builder maxExtension(Duration maxExtension) {
      this.maxExtension = Objects.requireNonNull(maxExtension, "maxExtension");
      return this;
    }

    /** The longest an ack or nack waits to be batched with others (default 50 ms). */
    public Builder settleLinger(Duration settleLinger) {
      this.settleLinger = Objects.requireNonNull(settleLinger, "settleLinger");
      return this;
    }

    /** The most messages received and not yet deleted or released (default 1000). */
    public Builder maxUnsettled(int maxUnsettled) {
      this.maxUnsettled = maxUnsettled;
      return this;
    }

    /** The message attribute whose value is the key on a standard queue (default "key"). */
    public Builder keyAttribute(String keyAttribute) {
      this.keyAttribute = Objects.requireNonNull(keyAttribute, "keyAttribute");
      return this;
    }

    /** Completes the stream after this many messages (default: never; for demos and tests). */
    public Builder stopAfter(long stopAfter) {
      this.stopAfter = stopAfter;
      return this;
    }

    /**
     * How often the queue's depth is sampled (for {@link SqsSource#stats()} and the
     * pipeline's capacity model); zero turns sampling off (default 2 s).
     */
    public Builder statsInterval(Duration statsInterval) {
      this.statsInterval = Objects.requireNonNull(statsInterval, "statsInterval");
      return this;
    }

    /** How long {@link SqsSource#close()} waits for deletes to be sent (default 30 s). */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
      return this;
    }

    /** The clock for visibility extension (default {@link Ticker#system()}). */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Checks the settings and makes the source (no connection yet: that is made on
     * {@code subscribe}).
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     */
    public SqsSource build() {
      require(queue != null, "queue is required");
      Queues.checkName(queue);
      require(endpoint != null ^ client != null,
          "give exactly one of endpoint(...) or client(...)");
      require(!waitTime.isNegative() && waitTime.compareTo(Duration.ofSeconds(20)) <= 0
          && waitTime.toMillis() % 1000 == 0,
          "wait must be whole seconds from 0s to 20s but was " + waitTime.toMillis() + "ms");
      if (visibility != null) {
        require(visibility.toMillis() % 1000 == 0 && visibility.compareTo(Duration.ofSeconds(1)) >= 0
            && visibility.compareTo(Duration.ofHours(12)) <= 0,
            "visibility must be whole seconds from 1s to 12h but was " + visibility.toMillis() + "ms");
      }
      require(!maxExtension.isNegative() && !maxExtension.isZero(),
          "maxExtension must be > 0 but was " + maxExtension);
      require(!settleLinger.isNegative() && settleLinger.compareTo(Duration.ofSeconds(10)) <= 0,
          "settleLinger must be from 0 to 10s but was " + settleLinger.toMillis() + "ms");
      require(maxUnsettled >= 10, "maxUnsettled must be >= 10 but was " + maxUnsettled);
      require(stopAfter >= 0, "stopAfter must be >= 0 but was " + stopAfter);
      require(statsInterval.isZero() || statsInterval.compareTo(Duration.ofMillis(100)) >= 0,
          "statsInterval must be 0 (off) or >= 100ms but was " + statsInterval.toMillis() + "ms");
      require(!closeTimeout.isNegative(), "closeTimeout must be >= 0 but was " + closeTimeout);
      return new SqsSource(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  @Override
  public String toString() {
    return "SqsSource[" + queueName + "]";
  }
}
