package dev.sluice;

import dev.sluice.internal.Engine;
import dev.sluice.internal.PartitionFilter;
import dev.sluice.internal.PipelineConfig;
import dev.sluice.internal.SkipCountingPipeline;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures and starts a {@link Pipeline}. Obtain one from {@link Sluice#from}. Every setting
 * is checked in {@link #start()}, which names the setting and its bad value. Call
 * {@code process} before {@code to}.
 *
 * <p>Not thread-safe: configure it from one thread. It may start only one pipeline.
 *
 * @param <T> the payload type
 * @param <R> the result type
 */
public final class PipelineBuilder<T, R> {

  private static final Logger DEAD_LETTER_LOG = LoggerFactory.getLogger("dev.sluice.DeadLetters");

  private final Flow.Publisher<Message<T>> source;
  private Workers workers = Workers.fixed(Runtime.getRuntime().availableProcessors());
  private int fixedWorkers = workers.min();
  private Integer maxInFlight;
  private Ordering ordering = Ordering.UNORDERED;
  private Function<? super Message<T>, ?> keyFunction = Message::key;
  private MessageProcessor<T, ?> processor;
  private Supplier<? extends MessageProcessor<T, ?>> perWorker;
  private Sink<?> sink;
  private Sink<? super DeadLetter<T>> deadLetters;
  private RetryPolicy retry = RetryPolicy.none();
  private Duration timeout = Duration.ZERO;
  private Duration drainTimeout = Duration.ofSeconds(30);
  private Duration interruptGrace = Duration.ofSeconds(2);
  private Duration statsInterval = Duration.ofSeconds(1);
  private Consumer<? super Stats> statsListener;
  private Ticker ticker = Ticker.system();
  private String name = "sluice";
  private Partition partition;
  private Function<? super Message<T>, String> partitionKey;
  private boolean started;

  PipelineBuilder(Flow.Publisher<Message<T>> source) {
    this.source = source;
  }

  /** Worker threads, each running one message at a time (default: available processors). */
  public PipelineBuilder<T, R> workers(int workers) {
    this.fixedWorkers = workers;
    this.workers = null;
    return this;
  }

  /**
   * A fixed pool ({@link Workers#fixed}) or an adaptive one that follows the load
   * ({@link Workers#adaptive}: see there how it grows and shrinks).
   */
  public PipelineBuilder<T, R> workers(Workers workers) {
    this.workers = Objects.requireNonNull(workers, "workers");
    return this;
  }

  /**
   * The most messages held between receipt and acknowledgement, fixed. The pipeline requests no
   * more than this from the source. Without it, the window starts at four per worker (at least
   * 32) and widens up to 1024 while attempts take microseconds (the floor plus what the workers
   * finish in 1 ms at the recent mean attempt time), narrowing again when they slow down.
   */
  public PipelineBuilder<T, R> maxInFlight(int maxInFlight) {
    this.maxInFlight = maxInFlight;
    return this;
  }

  /** How results are ordered (default {@link Ordering#UNORDERED}). */
  public PipelineBuilder<T, R> ordering(Ordering ordering) {
    this.ordering = Objects.requireNonNull(ordering, "ordering");
    return this;
  }

  /**
   * {@link Ordering#BY_KEY} with the key taken from each message by {@code keyFunction}
   * (called on the source's thread; a null key means "no key").
   */
  public PipelineBuilder<T, R> orderByKey(Function<? super Message<T>, ?> keyFunction) {
    this.keyFunction = Objects.requireNonNull(keyFunction, "keyFunction");
    this.ordering = Ordering.BY_KEY;
    return this;
  }

  /** The work to do for each payload. */
  public <R2> PipelineBuilder<T, R2> process(Processor<? super T, ? extends R2> processor) {
    Objects.requireNonNull(processor, "processor");
    return processMessages((message, attempt) -> processor.process(message.payload()));
  }

  /** The work to do for each message, seeing its metadata and attempt number. */
  @SuppressWarnings("unchecked")
  public <R2> PipelineBuilder<T, R2> processMessages(MessageProcessor<T, ? extends R2> processor) {
    if (sink != null) {
      throw new IllegalStateException("process must be called before to(sink)");
    }
    this.processor = Objects.requireNonNull(processor, "processor");
    this.perWorker = null;
    return (PipelineBuilder<T, R2>) this;
  }

  /**
   * The work to do for each message, by a processor of each worker's own: the per-worker start
   * and stop hooks, for work that holds a resource no two workers may share (a child process,
   * a connection, a model that is not thread-safe).
   *
   * <p>{@code perWorker} is called once by each worker, on that worker's thread, before its
   * first message (start); the processor it returns is only ever called by that thread, so it
   * need not be thread-safe. If it is {@link AutoCloseable}, the worker closes it on the same
   * thread when it stops, after its last message (stop): at the pipeline's end, or when an
   * adaptive pool ({@link #workers(Workers)}) retires the worker; a worker stuck in a message that
   * ignores interruption never gets there. If {@code perWorker} throws, the attempt fails with
   * that cause (retried or dead-lettered like any failure) and the next message tries again.
   */
  @SuppressWarnings("unchecked")
  public <R2> PipelineBuilder<T, R2> processPerWorker(
      Supplier<? extends MessageProcessor<T, ? extends R2>> perWorker) {
    if (sink != null) {
      throw new IllegalStateException("process must be called before to(sink)");
    }
    this.perWorker = Objects.requireNonNull(perWorker, "perWorker");
    this.processor = null;
    return (PipelineBuilder<T, R2>) this;
  }

  /** Where results go (default: discarded). */
  public PipelineBuilder<T, R> to(Sink<? super R> sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
    return this;
  }

  /** Where messages out of attempts go (default: logged at WARN, then acknowledged). */
  public PipelineBuilder<T, R> deadLetters(Sink<? super DeadLetter<T>> deadLetters) {
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    return this;
  }

  /** When a failed attempt runs again (default {@link RetryPolicy#none()}). */
  public PipelineBuilder<T, R> retry(RetryPolicy retry) {
    this.retry = Objects.requireNonNull(retry, "retry");
    return this;
  }

  /**
   * The longest one attempt may run before its worker is interrupted and the attempt counts
   * as failed with a {@link java.util.concurrent.TimeoutException}. Zero (the default) means
   * no limit.
   */
  public PipelineBuilder<T, R> timeout(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** How long {@link Pipeline#close()} lets in-flight work finish (default 30 s). */
  public PipelineBuilder<T, R> drainTimeout(Duration drainTimeout) {
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
    return this;
  }

  /** How long a drain that ran out of time waits for interrupted workers (default 2 s). */
  public PipelineBuilder<T, R> interruptGrace(Duration interruptGrace) {
    this.interruptGrace = Objects.requireNonNull(interruptGrace, "interruptGrace");
    return this;
  }

  /**
   * Calls {@code listener} with a fresh snapshot every {@code interval}, on the pipeline's
   * timer thread (keep it quick), for live views.
   */
  public PipelineBuilder<T, R> onStats(Duration interval, Consumer<? super Stats> listener) {
    this.statsInterval = Objects.requireNonNull(interval, "interval");
    this.statsListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** The clock for statistics (default {@link Ticker#system()}). */
  public PipelineBuilder<T, R> ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /** Prefix of the pipeline's thread names: {@code NAME-worker-1}, ... (default "sluice"). */
  public PipelineBuilder<T, R> name(String name) {
    this.name = Objects.requireNonNull(name, "name");
    return this;
  }

  /**
   * Processes only this instance's share of the source: the messages whose key
   * ({@code keyFunction}, called on the source's thread; a null key, or a key function that
   * throws, counts as the empty key, so exactly one instance takes the message) hashes to
   * instance {@code index} of {@code count} (see {@link Partition} for the hash, which never
   * changes). The others are acknowledged unprocessed and counted in {@link Stats#skipped()};
   * they are never dead-lettered. Run {@code count} copies, indexes 0 to {@code count - 1},
   * on one feed that each receives in full: together they process every message once.
   *
   * @throws IllegalArgumentException unless {@code count >= 1} and {@code 0 <= index < count}
   */
  public PipelineBuilder<T, R> partition(int index, int count,
      Function<? super Message<T>, String> keyFunction) {
    this.partition = Partition.of(index, count);
    this.partitionKey = Objects.requireNonNull(keyFunction, "keyFunction");
    return this;
  }

  /**
   * Checks the configuration, subscribes to the source and starts the workers.
   *
   * @throws IllegalArgumentException naming the first bad setting and its value
   * @throws IllegalStateException    if no processor was given, or this builder already started
   */
  public Pipeline start() {
    PartitionFilter<T> filter = partition == null ? null
        : new PartitionFilter<>(source, partition, partitionKey);
    PipelineConfig<T> config = build(filter != null ? filter : source, filter);
    started = true;
    Pipeline pipeline = Engine.start(config);
    return filter == null ? pipeline : new SkipCountingPipeline(pipeline, filter::skipped);
  }

  @SuppressWarnings("unchecked")
  private PipelineConfig<T> build(Flow.Publisher<Message<T>> input,
      PartitionFilter<T> filter) {
    if (started) {
      throw new IllegalStateException("this builder already started a pipeline");
    }
    if (processor == null && perWorker == null) {
      throw new IllegalStateException("no processor: call process(...) before start()");
    }
    require(workers != null || fixedWorkers >= 1,
        "workers must be >= 1 but was " + fixedWorkers);
    Workers pool = workers != null ? workers : Workers.fixed(fixedWorkers);
    // the default window adapts between four per worker (at least 32) and 1024: see
    // dev.sluice.internal.DemandWindow
    int floor = maxInFlight != null ? maxInFlight : Math.max(4 * pool.max(), 32);
    int inFlight = maxInFlight != null ? maxInFlight : Math.max(floor, 1024);
    require(inFlight >= 1, "maxInFlight must be >= 1 but was " + inFlight);
    require(inFlight <= (1 << 24), "maxInFlight must be <= 16777216 but was " + inFlight);
    require(!timeout.isNegative(), "timeout must be >= 0 but was " + timeout);
    require(!drainTimeout.isNegative(), "drainTimeout must be >= 0 but was " + drainTimeout);
    require(!interruptGrace.isNegative(),
        "interruptGrace must be >= 0 but was " + interruptGrace);
    require(statsInterval.compareTo(Duration.ofMillis(10)) >= 0,
        "stats interval must be >= 10ms but was " + statsInterval);
    require(!name.isBlank(), "name must not be blank");
    Sink<Object> resultSink = sink != null ? (Sink<Object>) sink : (r, m) -> Sink.DONE;
    Sink<? super DeadLetter<T>> deadLetterSink = deadLetters != null ? deadLetters
        : (Sink<DeadLetter<T>>) (letter, m) -> {
          DEAD_LETTER_LOG.warn("dead letter: {}", letter);
          return Sink.DONE;
        };
    Consumer<? super Stats> listener = filter == null || statsListener == null ? statsListener
        : stats -> statsListener.accept(stats.withSkipped(filter.skipped()));
    return new PipelineConfig<>(input, pool, inFlight, floor, ordering,
        ordering == Ordering.BY_KEY ? keyFunction : null,
        (MessageProcessor<T, Object>) processor,
        (Supplier<? extends MessageProcessor<T, Object>>) (Supplier<?>) perWorker, resultSink,
        deadLetterSink, retry, timeout, drainTimeout, interruptGrace, statsInterval, listener,
        ticker, name);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
