package dev.sluice.internal;

import dev.sluice.DeadLetter;
import dev.sluice.DrainResult;
import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.PipelineException;
import dev.sluice.Sink;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline engine: subscriber to the source, owner of the workers, the timer and the
 * lifecycle.
 *
 * <p><b>Flow.</b> {@code onNext} (source thread) wraps each message in an {@link Envelope} and
 * offers it to the {@link TaskQueue} (through {@link KeyLanes} under BY_KEY). A worker runs the
 * processor; a failure is retried (through the timer when there is a backoff) or becomes a
 * dead letter. A final envelope is written, in arrival order through the
 * {@link OrderedEmitter} under ORDERED, otherwise at once under {@link #sinkLock}; the sink's
 * completion acknowledges the message and settles the envelope.
 *
 * <p><b>Backpressure.</b> Every envelope holds one in-flight permit from receipt to settlement.
 * The engine first requests {@code maxInFlight} and then one batch for every batch settled, so
 * requested-but-undelivered plus in-flight never exceeds the cap, and nothing else needs a bound:
 * queue, ring and lanes are all sized by it. Requests and the cancel are serialised through
 * {@link SourceDemand}, as the Flow rules demand.
 *
 * <p><b>Shutdown.</b> States move RUNNING → DRAINING (source done, drain called, or a failure)
 * → [STOPPING] → COMPLETED | FAILED. Once the source is done and every received envelope has
 * settled, the timer thread runs {@link #finish()}: flush and close the sinks, close the queue
 * so the workers end, join them, then complete {@link #completion}. {@code received} and
 * {@code settled} are compared after volatile writes on both sides, so the last settlement and
 * the end of the source cannot both miss each other.
 */
public final class Engine<T> implements Pipeline, Flow.Subscriber<Message<T>>, StatsRecorder.Gauges {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  /** A sink's flush may take this long even when the drain timeout is shorter. */
  private static final Duration FLUSH_AT_LEAST = Duration.ofSeconds(5);

  private final PipelineConfig<T> config;
  private final WorkerPool<T> pool;
  private final TaskQueue<Envelope<T>> queue;
  private final KeyLanes<T> lanes;
  private final OrderedEmitter<T> ordered;
  private final StatsRecorder stats;
  private final ScheduledThreadPoolExecutor timer;
  private final Thread[] timerThread = new Thread[1];
  private final Object sinkLock = new Object();
  private final Object deadLetterLock = new Object();
  private final int batch;

  private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicBoolean finishing = new AtomicBoolean();
  private final CompletableFuture<Stats> completion = new CompletableFuture<>();
  private final Set<Envelope<T>> awaitingRetry = ConcurrentHashMap.newKeySet();
  private final AtomicLong settled = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();
  private volatile long received;              // written by the source thread only
  private volatile boolean sourceDone;
  private volatile boolean stopping;

  private final SourceDemand demand;

  private Engine(PipelineConfig<T> config) {
    this.config = config;
    this.pool = new WorkerPool<>(this, config.workers(), config.maxInFlight(), config.name());
    this.queue = pool.queue;
    this.demand = new SourceDemand(config.maxInFlight());
    this.lanes = config.keyFunction() != null ? new KeyLanes<>() : null;
    this.ordered = config.ordering() == dev.sluice.Ordering.ORDERED
        ? new OrderedEmitter<>(config.maxInFlight(), this::writeAndSettle) : null;
    this.batch = Math.max(1, config.maxInFlight() / 4);
    this.stats = new StatsRecorder(config.ticker(), this, config.workers());
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, config.name() + "-timer");
      t.setDaemon(true);
      timerThread[0] = t;
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  /** Starts the workers and the timer, then subscribes to the source. */
  public static <T> Pipeline start(PipelineConfig<T> config) {
    Engine<T> engine = new Engine<>(config);
    engine.pool.start();
    engine.scheduleTimerTasks();
    try {
      config.source().subscribe(engine);
    } catch (RuntimeException e) {
      engine.onError(e);
    }
    return engine;
  }

  private void scheduleTimerTasks() {
    long sampleMillis = StatsRecorder.SAMPLE_EVERY.toMillis();
    timer.scheduleAtFixedRate(stats::sample, sampleMillis, sampleMillis, TimeUnit.MILLISECONDS);
    if (config.statsListener() != null) {
      long every = config.statsInterval().toNanos();
      timer.scheduleAtFixedRate(this::publishStats, every, every, TimeUnit.NANOSECONDS);
    }
    if (!config.timeout().isZero()) {
      long every = Math.max(TimeUnit.MILLISECONDS.toNanos(1),
          Math.min(config.timeout().toNanos() / 4, TimeUnit.MILLISECONDS.toNanos(100)));
      timer.scheduleAtFixedRate(this::enforceTimeout, every, every, TimeUnit.NANOSECONDS);
    }
  }

  // ---- the source side (one thread at a time, as the Flow rules promise) ----

  @Override
  public void onSubscribe(Flow.Subscription s) {
    demand.subscribed(Objects.requireNonNull(s, "subscription"));
  }

  @Override
  public void onNext(Message<T> message) {
    Objects.requireNonNull(message, "message");
    long seq = received;
    Envelope<T> envelope = new Envelope<>(message, seq, stats.now());
    received = seq + 1;           // volatile write before reading the state: see class doc
    if (state.get() != State.RUNNING) {
      nack(envelope, new CancellationException("pipeline is draining: message not taken"));
      return;
    }
    if (lanes != null) {
      try {
        envelope.key = config.keyFunction().apply(message);
      } catch (RuntimeException e) {
        deadLetter(envelope, new IllegalArgumentException(
            "cannot read the message's key: " + e.getMessage(), e));
        return;
      }
      if (envelope.key != null && !lanes.admit(envelope)) {
        return;
      }
    }
    try {
      queue.offer(envelope);
    } catch (RuntimeException e) {     // a bug, but the message must still settle
      fail(new PipelineException("internal error admitting a message: " + e, e));
      nack(envelope, e);
    }
  }

  @Override
  public void onError(Throwable error) {
    Objects.requireNonNull(error, "error");
    failure.compareAndSet(null, new PipelineException("source failed: " + error, error));
    endOfSource();
  }

  @Override
  public void onComplete() {
    endOfSource();
  }

  private void endOfSource() {
    state.compareAndSet(State.RUNNING, State.DRAINING);
    sourceDone = true;
    checkFinished();
  }

  // ---- workers ----

  void work(Worker worker) {
    Envelope<T> envelope;
    while ((envelope = queue.take(worker.parker)) != null) {
      runAttempt(envelope, worker);
    }
  }

  @SuppressWarnings("unchecked")
  private void runAttempt(Envelope<?> taken, Worker worker) {
    Envelope<T> envelope = (Envelope<T>) taken;
    if (stopping) {
      abandon(envelope);
      return;
    }
    int attempt = ++envelope.attempts;
    long run = worker.nextRun();
    envelope.startRun(run);
    long start = stats.now();
    worker.begin(envelope, run, start);
    if (stopping && envelope.claimRun(run)) {
      // stop() set the flag before scanning the workers and we published current before
      // reading it, so one of us saw the other; whoever claims the run abandons it
      envelope.release(run);
      worker.end();
      abandon(envelope);
      return;
    }
    Object result = null;
    Throwable error = null;
    try {
      result = config.processor().process(envelope.message, attempt);
    } catch (Throwable t) {
      error = t;
    }
    long end = stats.now();
    worker.end();
    stats.onAttempt(end - start);
    if (!envelope.finishRun(run)) {
      envelope.awaitRelease(run);   // the watchdog or a stop took this run and interrupted us
      Thread.interrupted();
      return;
    }
    Thread.interrupted();           // a stray interrupt must not reach the next message
    if (error == null) {
      envelope.result = result;
      envelope.outcome = Envelope.OUTCOME_RESULT;
      emit(envelope);
    } else {
      onFailure(envelope, error);
    }
  }

  private void onFailure(Envelope<T> envelope, Throwable error) {
    if (error instanceof dev.sluice.RedeliverException) {
      nack(envelope, error);      // not the message's failure: no retry, no dead letter
      return;
    }
    stats.failed.increment();
    if (stopping) {
      abandon(envelope);
    } else if (config.retry().shouldRetry(envelope.attempts, error)) {
      stats.retried.increment();
      Duration wait = config.retry().backoff(envelope.attempts,
          ThreadLocalRandom.current().nextDouble());
      if (wait.isZero()) {
        queue.offer(envelope);
      } else {
        awaitingRetry.add(envelope);
        try {
          timer.schedule(() -> retryNow(envelope), wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          retryNow(envelope);
        }
      }
    } else {
      deadLetter(envelope, error);
    }
  }

  private void retryNow(Envelope<T> envelope) {
    if (awaitingRetry.remove(envelope)) {
      if (stopping) {
        abandon(envelope);
      } else {
        queue.offer(envelope);
      }
    }
  }

  /** Timer thread: interrupts runs past the timeout and fails their attempt. */
  private void enforceTimeout() {
    pool.claimRunsPastDeadline(stats.now(), config.timeout().toNanos(), (envelope, worker) -> {
      stats.timedOut.increment();
      onFailure(envelope, new TimeoutException("attempt " + envelope.attempts
          + " ran past the timeout of " + config.timeout() + " on " + worker));
    });
  }

  // ---- final outcomes: write, acknowledge, settle ----

  private void deadLetter(Envelope<T> envelope, Throwable cause) {
    envelope.failure = cause;
    envelope.outcome = Envelope.OUTCOME_DEAD;
    emit(envelope);
  }

  private void nack(Envelope<T> envelope, Throwable cause) {
    envelope.failure = cause;
    envelope.outcome = Envelope.OUTCOME_NACKED;
    emit(envelope);
  }

  private void abandon(Envelope<T> envelope) {
    abandoned.incrementAndGet();
    nack(envelope, new CancellationException(
        "pipeline stopped before this message was processed"));
  }

  private void emit(Envelope<T> envelope) {
    if (ordered != null) {
      ordered.ready(envelope);    // calls writeAndSettle in arrival order, never concurrently
    } else if (envelope.outcome == Envelope.OUTCOME_RESULT && envelope.result != null) {
      CompletionStage<Void> written;
      synchronized (sinkLock) {
        written = writeResult(envelope);
      }
      afterWrite(envelope, written);
    } else {
      writeAndSettle(envelope);
    }
  }

  private void writeAndSettle(Envelope<T> envelope) {
    switch (envelope.outcome) {
      case Envelope.OUTCOME_RESULT:
        afterWrite(envelope, writeResult(envelope));
        return;
      case Envelope.OUTCOME_DEAD:
        DeadLetter<T> letter =
            new DeadLetter<>(envelope.message, envelope.failure, envelope.attempts);
        CompletionStage<Void> written;
        synchronized (deadLetterLock) {
          try {
            written = orFailed(config.deadLetters().write(letter, envelope.message));
          } catch (Throwable t) {
            written = CompletableFuture.failedFuture(t);
          }
        }
        afterWrite(envelope, written);
        return;
      default:
        envelope.message.nack(envelope.failure);
        settle(envelope);
    }
  }

  /** Acknowledges once the write completes (at once for {@link Sink#DONE}), then settles. */
  private void afterWrite(Envelope<T> envelope, CompletionStage<Void> written) {
    if (written == Sink.DONE) {
      envelope.message.ack();
      settle(envelope);
    } else {
      written.whenComplete((ignored, error) -> {
        if (error == null) {
          envelope.message.ack();
        } else {
          sinkFailed(envelope, error);
        }
        settle(envelope);
      });
    }
  }

  /**
   * Hands a result to the sink ({@link Sink#DONE} for a null result, which writes nothing); a
   * throw or a null stage becomes a failed stage, so every failure takes one path.
   */
  private CompletionStage<Void> writeResult(Envelope<T> envelope) {
    if (envelope.result == null) {
      return Sink.DONE;
    }
    try {
      return orFailed(config.sink().write(envelope.result, envelope.message));
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }

  private static CompletionStage<Void> orFailed(CompletionStage<Void> stage) {
    return stage != null ? stage
        : CompletableFuture.failedFuture(new NullPointerException("sink returned null"));
  }

  private void sinkFailed(Envelope<T> envelope, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException
        && error.getCause() != null ? error.getCause() : error;
    boolean dead = envelope.outcome == Envelope.OUTCOME_DEAD;
    envelope.outcome = Envelope.OUTCOME_NACKED;
    envelope.message.nack(cause);
    fail(new PipelineException((dead ? "dead-letter sink" : "sink") + " failed: " + cause, cause));
  }

  /** Records the first failure and starts draining. */
  private void fail(PipelineException cause) {
    if (failure.compareAndSet(null, cause)) {
      LOG.error("pipeline failing: {}", cause.getMessage());
    }
    beginDrain();
  }

  private void settle(Envelope<T> envelope) {
    stats.onSettled(envelope.receivedNanos, stats.now());
    if (envelope.outcome == Envelope.OUTCOME_DEAD) {
      stats.deadLettered.increment();
    } else if (envelope.outcome == Envelope.OUTCOME_NACKED) {
      stats.nacked.increment();
    }
    if (lanes != null && envelope.key != null) {
      Envelope<T> next = lanes.release(envelope.key);
      if (next != null) {
        if (stopping) {
          abandon(next);
        } else {
          queue.offer(next);
        }
      }
    }
    long count = settled.incrementAndGet();
    if (count % batch == 0 && state.get() == State.RUNNING) {
      demand.request(batch);
    }
    if (sourceDone && count == received) {
      checkFinished();
    }
  }

  // ---- lifecycle ----

  private void beginDrain() {
    if (state.compareAndSet(State.RUNNING, State.DRAINING)) {
      demand.cancel();
    }
    sourceDone = true;
    checkFinished();
  }

  private void checkFinished() {
    if (sourceDone && settled.get() == received && finishing.compareAndSet(false, true)) {
      try {
        timer.execute(this::finish);
      } catch (RejectedExecutionException e) {
        finish();
      }
    }
  }

  /** Timer thread (or the last settler if the timer is gone): ends the pipeline. */
  private void finish() {
    Throwable cause = failure.get();
    cause = closeSink(config.sink(), "sink", cause);
    cause = closeSink(config.deadLetters(), "dead-letter sink", cause);
    long graceNanos = (stopping ? config.interruptGrace() : Duration.ofSeconds(1)).toNanos();
    pool.shutdown(System.nanoTime() + graceNanos);
    Stats last = stats.snapshot();
    state.set(cause == null ? State.COMPLETED : State.FAILED);
    timer.shutdownNow();
    if (cause == null) {
      completion.complete(last);
    } else {
      completion.completeExceptionally(cause instanceof PipelineException ? cause
          : new PipelineException(cause.getMessage(), cause));
    }
  }

  private Throwable closeSink(Sink<?> sink, String what, Throwable cause) {
    try {
      long wait = Math.max(config.drainTimeout().toNanos(), FLUSH_AT_LEAST.toNanos());
      sink.flush().toCompletableFuture().get(wait, TimeUnit.NANOSECONDS);
      sink.close();
      return cause;
    } catch (Throwable t) {
      Throwable root = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return cause != null ? cause
          : new PipelineException(what + " could not flush or close: " + root, root);
    }
  }

  /** Nacks everything not yet running and interrupts what is. */
  private void stop() {
    stopping = true;
    beginDrain();                 // cancels the source if it was still running
    state.getAndUpdate(s -> s == State.COMPLETED || s == State.FAILED ? s : State.STOPPING);
    Envelope<T> envelope;
    while ((envelope = queue.poll()) != null) {
      abandon(envelope);
    }
    if (lanes != null) {
      lanes.drainWaiting().forEach(this::abandon);
    }
    for (Envelope<T> waiting : List.copyOf(awaitingRetry)) {
      if (awaitingRetry.remove(waiting)) {
        abandon(waiting);
      }
    }
    pool.claimAllRuns((running, worker) -> abandon(running));
  }

  private void publishStats() {
    try {
      config.statsListener().accept(stats.snapshot());
    } catch (RuntimeException e) {
      LOG.warn("stats listener failed: {}", e.toString());
    }
  }

  // ---- Pipeline ----

  @Override
  public State state() {
    return state.get();
  }

  @Override
  public Stats stats() {
    return stats.snapshot();
  }

  @Override
  public CompletableFuture<Stats> completion() {
    return completion;
  }

  @Override
  public Stats awaitCompletion() throws InterruptedException {
    try {
      Stats last = completion.get();
      joinTimer(Long.MAX_VALUE);
      return last;
    } catch (ExecutionException e) {
      joinTimer(Long.MAX_VALUE);
      throw e.getCause() instanceof PipelineException p ? p
          : new PipelineException(String.valueOf(e.getCause()), e.getCause());
    }
  }

  @Override
  public DrainResult drain(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    beginDrain();
    if (!awaitEnd(timeout.toNanos())) {
      stop();
      awaitEnd(config.interruptGrace().toNanos() + TimeUnit.SECONDS.toNanos(1));
    }
    joinTimer(TimeUnit.SECONDS.toNanos(1));
    List<String> stuck = pool.stuck();
    long gaveUp = abandoned.get();
    return new DrainResult(gaveUp == 0 && stuck.isEmpty() && completion.isDone(), gaveUp, stuck,
        stats.snapshot());
  }

  private boolean awaitEnd(long nanos) throws InterruptedException {
    try {
      completion.get(nanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      // failed: ended all the same
    } catch (TimeoutException e) {
      return false;
    }
    return true;
  }

  private void joinTimer(long nanos) throws InterruptedException {
    Thread t = timerThread[0];
    if (t != null && t != Thread.currentThread()) {
      TimeUnit.NANOSECONDS.timedJoin(t, nanos);
    }
  }

  @Override
  public void close() {
    try {
      DrainResult result = drain(config.drainTimeout());
      if (!result.clean()) {
        LOG.warn("pipeline closed uncleanly: {} message(s) nacked unprocessed, stuck workers {}",
            result.abandoned(), result.stuckWorkers());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
    }
  }

  // ---- gauges for the stats recorder ----

  @Override
  public long received() {
    return received;
  }

  @Override
  public long settled() {
    return settled.get();
  }

  @Override
  public int busyWorkers() {
    return pool.busy();
  }
}
