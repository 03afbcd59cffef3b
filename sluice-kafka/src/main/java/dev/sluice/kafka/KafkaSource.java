package dev.sluice.kafka;

import dev.sluice.Message;
import dev.sluice.kafka.internal.ConsumerLoop;
import dev.sluice.kafka.internal.SourceSettings;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.SourceBacklog;
import dev.sluice.spi.SourceEmitter;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;

/**
 * Kafka topics as a Sluice source: a member of a consumer group whose records become messages.
 * The payload is the record value (an empty array for a null value), the key is the record key
 * as UTF-8 text (so {@link dev.sluice.Ordering#BY_KEY} keeps each key's records in order), the
 * topic is the record's topic and {@link Message#sequence()} its offset; the headers are the
 * record's headers as UTF-8 text plus {@value #PARTITION_HEADER}, {@value #OFFSET_HEADER} and
 * {@value #TIMESTAMP_HEADER}.
 *
 * <pre>{@code
 * KafkaSource source = KafkaSource.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .topics("jobs")
 *     .group("workers")
 *     .build();
 * Pipeline p = Sluice.from(source).workers(8).ordering(Ordering.BY_KEY)
 *     .process(work).to(sink).start();
 * ...
 * p.close();         // drains; the source commits what finished and leaves the group
 * source.close();    // waits for that (idempotent)
 * }</pre>
 *
 * <p><b>At-least-once, and commits that never skip unfinished work.</b> A record's offset is
 * finished when the pipeline acks it (its result written, or dead-lettered). Per partition the
 * source commits the <em>completion watermark</em>, the lowest unfinished offset, so a restart
 * never skips a record that was not finished; records finished above the watermark are listed
 * in the commit's metadata and skipped by the partition's next owner, so only the records that
 * were really in flight are processed twice. Commits are asynchronous every
 * {@link Builder#commitInterval} and synchronous on revocation and close. A nacked record is
 * never committed past: the next owner (or a restart) gets it again.
 *
 * <p><b>Flow control.</b> At most {@link Builder#bufferSize} records wait here for the
 * pipeline. When it has no room the source pauses its partitions; it never stops calling
 * {@code poll()}, so a record that takes longer than {@code max.poll.interval.ms} does not get
 * the member removed from its group.
 *
 * <p><b>Rebalances.</b> Cooperative-sticky assignment: a rebalance revokes only the partitions
 * that move. Their waiting records are dropped, their records in flight get up to
 * {@link Builder#revokeTimeout} to finish, then the watermark is committed; records still
 * unfinished are processed again by the new owner, and their late acks here change nothing.
 *
 * <p><b>Lag.</b> {@link #backlog()} and {@link #stats()} report how far this member is behind
 * the end of its partitions, per partition and in total; a pipeline reads the backlog to tell
 * the load offered from what it manages to take in (see {@link dev.sluice.Capacity}).
 *
 * <p><b>Threads.</b> Thread-safe. The consumer lives on its own daemon thread
 * ({@code sluice-kafka-CLIENTID}), which also makes most {@code onNext} calls; a requesting
 * thread may make others, never concurrently. Acks may come from any thread. One subscriber
 * only.
 */
public final class KafkaSource implements Flow.Publisher<Message<byte[]>>, SourceBacklog,
    AutoCloseable {

  /** Header holding the record's partition number. */
  public static final String PARTITION_HEADER = "kafka.partition";
  /** Header holding the record's offset (also {@link Message#sequence()}). */
  public static final String OFFSET_HEADER = "kafka.offset";
  /** Header holding the record's timestamp, milliseconds since the epoch. */
  public static final String TIMESTAMP_HEADER = "kafka.timestamp";

  private final SourceSettings settings;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final AtomicReference<ConsumerLoop> loop = new AtomicReference<>();
  private final CompletableFuture<Void> assigned = new CompletableFuture<>();

  private KafkaSource(SourceSettings settings) {
    this.settings = settings;
  }

  /** Starts a source configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /** The consumer's client id (also in its thread's name and its log lines). */
  public String clientId() {
    return settings.clientId();
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<byte[]>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    if (!subscribed.compareAndSet(false, true)) {
      SourceEmitter.refuse(subscriber, new IllegalStateException(
          "a KafkaSource takes one subscriber, once; it already has one"));
      return;
    }
    ConsumerLoop consumerLoop;
    try {
      consumerLoop = new ConsumerLoop(settings, assigned);
    } catch (RuntimeException e) {
      IllegalArgumentException cause = new IllegalArgumentException(
          "cannot create the Kafka consumer: " + e.getMessage(), e);
      assigned.completeExceptionally(cause);
      SourceEmitter.refuse(subscriber, cause);
      return;
    }
    // Pushed, not read on demand: the poll thread emits what it fetched while there is room
    // and pauses the partitions when there is none; onRequest only wakes it for more.
    SourceEmitter<byte[]> emitter = SourceEmitter.builder(subscriber)
        .capacity(settings.bufferSize())
        .overflow(OverflowPolicy.BLOCK)
        .onRequest(n -> consumerLoop.wake())
        .onCancel(cause -> consumerLoop.stop())
        .start();
    consumerLoop.attach(emitter);
    loop.set(consumerLoop);
    Thread thread = new Thread(consumerLoop, "sluice-kafka-" + settings.clientId());
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Completes when this member has joined its group and received its first assignment (which
   * may be empty when the group has more members than partitions), or exceptionally if the
   * consumer failed or stopped first. Completes on the source's thread.
   */
  public CompletableFuture<Void> assigned() {
    return assigned;
  }

  /** What the source has done so far; any thread. */
  public KafkaSourceStats stats() {
    ConsumerLoop l = loop.get();
    if (l == null) {
      return new KafkaSourceStats(0, 0, 0, 0, 0, 0, -1, Map.of());
    }
    return new KafkaSourceStats(l.received(), l.skipped(), l.abandoned(), l.nacked(),
        l.rebalances(), l.commits(), l.totalLag(), l.partitionLag());
  }

  /**
   * The consumer lag, for the pipeline's capacity model (see {@link SourceBacklog}): records
   * behind the end of the owned partitions that the pipeline has not received yet, those
   * fetched and waiting here included; -1 before the first assignment and while an end
   * offset is not known. The end offsets are sampled every 250 ms by an admin client in the
   * background (a paused partition is not fetched, so the consumer's own lag would stand
   * still just when the pipeline is full); the poll loop never waits for them. Cheap; any
   * thread.
   */
  @Override
  public long backlog() {
    ConsumerLoop l = loop.get();
    return l == null ? -1 : l.backlog();
  }

  /**
   * Stops taking records and completes the stream once those already handed on are delivered
   * (so a running pipeline drains and ends), waits up to the close timeout for them to be
   * settled, commits, leaves the group and closes the consumer. Idempotent; any thread. If the calling
   * thread is interrupted it stops waiting (the consumer still closes on its own thread) and
   * keeps its interrupt status.
   */
  @Override
  public void close() {
    ConsumerLoop l = loop.get();
    if (l == null) {
      return;
    }
    l.stop();
    try {
      l.awaitEnd(settings.closeTimeout().toMillis() * 2 + 10_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Builds a {@link KafkaSource}. Not thread-safe: use it from one thread.
   */
  public static final class Builder {
    private String bootstrapServers;
    private List<String> topics = List.of();
    private Pattern pattern;
    private String group;
    private String clientId;
    private String autoOffsetReset = "earliest";
    private int bufferSize = 512;
    private Duration commitInterval = Duration.ofSeconds(1);
    private Duration revokeTimeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private boolean skipFinished = true;
    private long stopAfter = -1;
    private KafkaSecurity security = KafkaSecurity.NONE;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {
    }

    /** {@code host:port[,host:port...]} of one or more brokers; required. */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      return this;
    }

    /** The topics to consume; this or {@link #topicPattern} is required. */
    public Builder topics(String... topics) {
      this.topics = List.of(topics);
      this.pattern = null;
      return this;
    }

    /** Every topic whose name matches {@code pattern}, including ones created later. */
    public Builder topicPattern(Pattern pattern) {
      this.pattern = Objects.requireNonNull(pattern, "pattern");
      this.topics = List.of();
      return this;
    }

    /** The consumer group; required. Members of one group share the partitions. */
    public Builder group(String group) {
      this.group = Objects.requireNonNull(group, "group");
      return this;
    }

    /** The client id; default the group, a dash and a random suffix. */
    public Builder clientId(String clientId) {
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      return this;
    }

    /**
     * Where a partition without a committed offset starts: {@code earliest} (default: a new
     * group processes the backlog), {@code latest} or {@code none} (fail).
     */
    public Builder autoOffsetReset(String reset) {
      Objects.requireNonNull(reset, "reset");
      String r = reset.toLowerCase(Locale.ROOT);
      if (!r.equals("earliest") && !r.equals("latest") && !r.equals("none")) {
        throw new IllegalArgumentException("auto-offset-reset must be earliest, latest or none "
            + "but was " + reset);
      }
      this.autoOffsetReset = r;
      return this;
    }

    /** Records fetched and waiting for the pipeline, at most; default 512. */
    public Builder bufferSize(int bufferSize) {
      if (bufferSize < 1) {
        throw new IllegalArgumentException("bufferSize must be >= 1 but was " + bufferSize);
      }
      this.bufferSize = bufferSize;
      return this;
    }

    /** How often finished offsets are committed; default 1 second. */
    public Builder commitInterval(Duration interval) {
      this.commitInterval = positive(interval, "commitInterval");
      return this;
    }

    /**
     * How long records of revoked partitions may take to finish before they are left to the
     * new owner; default 10 seconds. It holds up the rebalance, so keep it well below
     * {@code max.poll.interval.ms}.
     */
    public Builder revokeTimeout(Duration timeout) {
      this.revokeTimeout = positive(timeout, "revokeTimeout");
      return this;
    }

    /** How long close waits for records in flight to be settled; default 30 seconds. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive(timeout, "closeTimeout");
      return this;
    }

    /**
     * Whether finished offsets above the watermark are recorded in the commit metadata, and
     * those recorded by a previous owner skipped; default true.
     */
    public Builder skipFinished(boolean skip) {
      this.skipFinished = skip;
      return this;
    }

    /** Completes the stream after {@code count} records; default never. */
    public Builder stopAfter(long count) {
      if (count < 0) {
        throw new IllegalArgumentException("stopAfter must be >= 0 but was " + count);
      }
      this.stopAfter = count;
      return this;
    }

    /** TLS and SASL; default none. */
    public Builder security(KafkaSecurity security) {
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /**
     * A KafkaConsumer property passed through as is (e.g. {@code max.poll.records},
     * {@code session.timeout.ms}). It wins over this builder's defaults, except that
     * {@code enable.auto.commit} is always false and the deserializers are always byte arrays.
     */
    public Builder property(String name, String value) {
      properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public KafkaSource build() {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers is required, e.g. 127.0.0.1:9092");
      }
      if (pattern == null && topics.isEmpty()) {
        throw new IllegalArgumentException("topics or topicPattern is required");
      }
      if (group == null || group.isBlank()) {
        throw new IllegalArgumentException("group is required: members of one group share "
            + "the partitions");
      }
      String id = clientId != null ? clientId
          : group + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000));
      Map<String, Object> p = new HashMap<>();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, autoOffsetReset);
      p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          CooperativeStickyAssignor.class.getName());
      p.putAll(security.properties());
      p.putAll(properties);
      if ("consumer".equalsIgnoreCase(String.valueOf(p.get("group.protocol")))) {
        p.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);  // chosen by the broker
      }
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
      p.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
      long maxPollInterval = Long.parseLong(String.valueOf(
          p.getOrDefault(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "300000")));
      if (revokeTimeout.toMillis() >= maxPollInterval) {
        throw new IllegalArgumentException("revokeTimeout (" + revokeTimeout.toMillis()
            + " ms) must be below max.poll.interval.ms (" + maxPollInterval + " ms)");
      }
      return new KafkaSource(new SourceSettings(Map.copyOf(p), topics, pattern, id, bufferSize,
          commitInterval, revokeTimeout, closeTimeout, skipFinished, stopAfter));
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be > 0 but was " + d);
      }
      return d;
    }
  }
}
