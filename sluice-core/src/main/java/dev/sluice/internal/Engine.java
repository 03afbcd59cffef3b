package dev.sluice.internal;

import dev.sluice.DrainResult;
import dev.sluice.Pipeline;
import dev.sluice.PipelineException;
import dev.sluice.Sink;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline: a short composition root for the four parts of a message's walk, each in its
 * own file.
 *
 * <ol>
 *   <li>{@link Admission}: the source's subscriber; numbers messages, holds them behind their
 *       key, dead-letters those that failed before processing;</li>
 *   <li>{@link Attempts}: the worker pool running one attempt at a time, with the timeout
 *       watchdog and the retries;</li>
 *   <li>{@link Settlement}: the one serialised writer of results and dead letters, the ordered
 *       gate, the ack, and the demand each settlement earns back;</li>
 *   <li>{@link Lifecycle}: one forward-only state machine.</li>
 * </ol>
 *
 * <p><b>Backpressure.</b> Every envelope holds one in-flight permit from receipt to settlement.
 * The source is first asked for the window ({@link DemandWindow}: {@code maxInFlight}, or by
 * default a window that widens for short work) and then for a batch whenever that much has
 * settled, so requested-but-undelivered plus in-flight never exceeds the window, and nothing
 * else needs a bound: queue, ring and lanes are all sized by its widest.
 *
 * <p><b>Shutdown.</b> The source's end, {@link #drain}, or a failure moves RUNNING → DRAINING.
 * Once every received envelope has settled, the timer thread runs {@link #finish()}: flush and
 * close the sinks, close the queue so the workers end, join them, move to COMPLETED or FAILED,
 * then complete {@link #completion}. A drain that runs out of time first moves to STOPPING and
 * abandons what is left ({@link #stop()}). {@code received} and {@code settled} are each
 * written before the other side's check reads the lifecycle, so the last settlement and the end
 * of the source cannot both miss each other.
 */
public final class Engine<T> implements Pipeline, StatsRecorder.Gauges {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  /** A sink's flush may take this long even when the drain timeout is shorter. */
  private static final Duration FLUSH_AT_LEAST = Duration.ofSeconds(5);

  private final PipelineConfig<T> config;
  private final Lifecycle lifecycle = new Lifecycle();
  private final StatsRecorder stats;
  private final ScheduledThreadPoolExecutor timer;
  private final Thread[] timerThread = new Thread[1];
  private final SourceDemand demand;
  private final DemandWindow window;
  private final Settlement<T> settlement;
  private final Attempts<T> attempts;
  private final Admission<T> admission;
  private final KeyLanes<T> lanes;
  private final PoolResizer resizer;
  private final CompletableFuture<Stats> completion = new CompletableFuture<>();

  private Engine(PipelineConfig<T> config) {
    this.config = config;
    this.stats = new StatsRecorder(config.ticker(), this, config.workers().max());
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, config.name() + "-timer");
      t.setDaemon(true);
      timerThread[0] = t;
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    this.demand = new SourceDemand(config.initialWindow());
    this.window = new DemandWindow(demand, stats, this::workers, config.initialWindow(),
        config.maxInFlight());
    KeyLanes<T> lanes = config.keyFunction() != null ? new KeyLanes<>() : null;
    this.settlement = new Settlement<>(config, stats, lifecycle, window, lanes,
        this::readmit, this::fail, this::settledOne);
    this.attempts = new Attempts<>(config, stats, lifecycle, settlement, timer);
    this.admission = new Admission<>(config, stats, lifecycle, demand, lanes, attempts,
        settlement, this::fail, this::endOfSource);
    this.lanes = lanes;
    this.resizer = config.workers().isAdaptive()
        ? new PoolResizer(attempts.pool, config.workers(), stats, config.name()) : null;
  }

  /** Starts the workers and the timer, then subscribes to the source. */
  public static <T> Pipeline start(PipelineConfig<T> config) {
    Engine<T> engine = new Engine<>(config);
    engine.attempts.pool.start();
    engine.scheduleTimerTasks();
    try {
      config.source().subscribe(engine.admission);
    } catch (RuntimeException e) {
      engine.admission.onError(e);
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
    if (resizer != null) {
      timer.scheduleAtFixedRate(this::resize, sampleMillis, 2 * sampleMillis,
          TimeUnit.MILLISECONDS);
    }
    if (!config.timeout().isZero()) {
      long every = Math.max(TimeUnit.MILLISECONDS.toNanos(1),
          Math.min(config.timeout().toNanos() / 4, TimeUnit.MILLISECONDS.toNanos(100)));
      timer.scheduleAtFixedRate(attempts::enforceTimeout, every, every, TimeUnit.NANOSECONDS);
    }
  }

  // ---- lifecycle ----

  /** A key's next envelope, let through once the previous one settled. */
  private void readmit(Envelope<T> envelope) {
    attempts.readmit(envelope);
  }

  /** The source completed or failed: drain. */
  private void endOfSource() {
    lifecycle.beginDrain();
    checkFinished();
  }

  /** Records the first failure and starts draining. */
  private void fail(PipelineException cause) {
    if (lifecycle.failed(cause)) {
      // at INFO: the failure is the completion's result (awaitCompletion throws it), which the
      // caller reports once; an ERROR here made the command print the same failure twice
      LOG.info("pipeline failing: {}", cause.getMessage());
    }
    beginDrain();
  }

  private void beginDrain() {
    if (lifecycle.beginDrain()) {
      demand.cancel();
    }
    checkFinished();
  }

  /** After each settlement: the last one of a drained pipeline ends it. */
  private void settledOne() {
    if (lifecycle.isDraining() && settlement.settled() == admission.received()) {
      checkFinished();
    }
  }

  private void checkFinished() {
    if (lifecycle.isDraining() && settlement.settled() == admission.received()
        && lifecycle.claimEnd()) {
      try {
        timer.execute(this::finish);
      } catch (RejectedExecutionException e) {
        finish();
      }
    }
  }

  /** Timer thread (or the last settler if the timer is gone): ends the pipeline. */
  private void finish() {
    Throwable cause = lifecycle.failure();
    cause = closeSink(config.sink(), "sink", cause);
    cause = closeSink(config.deadLetters(), "dead-letter sink", cause);
    long graceNanos = (lifecycle.isStopping() ? config.interruptGrace()
        : Duration.ofSeconds(1)).toNanos();
    attempts.pool.shutdown(System.nanoTime() + graceNanos);
    Stats last = stats.snapshot();
    lifecycle.end(cause != null);
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
    beginDrain();                 // cancels the source if it was still running
    lifecycle.beginStop();
    if (lanes != null) {
      lanes.drainWaiting().forEach(settlement::abandon);
    }
    attempts.stopAll();
  }

  private void resize() {
    if (lifecycle.isDraining()) {
      return;                     // a draining pipeline takes no more: its size no longer matters
    }
    try {
      resizer.tick();
    } catch (RuntimeException | OutOfMemoryError e) {
      LOG.warn("the worker pool could not be resized: {}", e.toString());
    }
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
    return lifecycle.state();
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
    List<String> stuck = attempts.pool.stuck();
    long gaveUp = settlement.abandoned();
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

  // ---- gauges for the stats recorder (which takes a first sample before the parts exist) ----

  @Override
  public long received() {
    return admission == null ? 0 : admission.received();
  }

  @Override
  public long settled() {
    return settlement == null ? 0 : settlement.settled();
  }

  @Override
  public int busyWorkers() {
    return attempts == null ? 0 : attempts.pool.busy();
  }

  @Override
  public long unmetDemand() {
    return demand == null || admission == null ? Long.MAX_VALUE
        : Math.max(0, demand.requested() - admission.received());
  }

  @Override
  public int workers() {
    return attempts == null ? config.workers().min() : attempts.pool.size();
  }

  @Override
  public long poolResizes() {
    return resizer == null ? 0 : resizer.resizes();
  }

  /**
   * Called from inside a processor, on a worker's thread: the attempt it is running is left out
   * of the service time (see {@code ServiceTime}). Elsewhere it does nothing.
   */
  public static void excludeCurrentAttemptFromServiceTime() {
    Worker worker = Worker.current();
    if (worker != null) {
      worker.excludeAttempt = true;
    }
  }

  @Override
  public long maxInFlight() {
    return window.size();
  }

  @Override
  public long sourceBacklog() {
    return dev.sluice.spi.SourceBacklog.of(config.source());
  }
}
