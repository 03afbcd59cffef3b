package dev.sluice.internal;

import dev.sluice.MessageProcessor;
import dev.sluice.RedeliverException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The middle of a message's walk: the {@link WorkerPool} takes envelopes from the queue and
 * runs one attempt each, under the timeout; a failed attempt runs again after the retry
 * policy's backoff (kept by the timer, not by a sleeping worker) or, out of attempts, is
 * dead-lettered. A final outcome goes to {@link Settlement}.
 *
 * <p><b>Processors.</b> A shared processor runs on every worker. A per-worker one (see
 * {@code PipelineBuilder.processPerWorker}) is made on its worker's thread before its first
 * message, and closed there, if it is {@link AutoCloseable}, when the worker stops: the
 * worker's start and stop hooks. One that cannot be made fails each attempt with the cause,
 * and is tried again for the next message.
 *
 * <p><b>Threads.</b> Workers run {@link #work}; the timer runs the timeout watchdog and the
 * retries; {@link #stopAll()} runs on whoever stops the pipeline. A run is claimed through its
 * envelope before a worker is interrupted (see {@link Envelope}), so an interrupt never hits
 * the wrong message.
 */
final class Attempts<T> {

  private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);

  private final PipelineConfig<T> config;
  private final StatsRecorder stats;
  private final Lifecycle lifecycle;
  private final Settlement<T> settlement;
  private final ScheduledExecutorService timer;
  final WorkerPool<T> pool;
  private final WorkQueue<Envelope<T>> queue;
  private final Set<Envelope<T>> awaitingRetry = ConcurrentHashMap.newKeySet();

  Attempts(PipelineConfig<T> config, StatsRecorder stats, Lifecycle lifecycle,
      Settlement<T> settlement, ScheduledExecutorService timer) {
    this.config = config;
    this.stats = stats;
    this.lifecycle = lifecycle;
    this.settlement = settlement;
    this.timer = timer;
    this.pool = new WorkerPool<>(this::work, config.workers().min(), config.workers().max(),
        config.maxInFlight(), config.name());
    this.queue = pool.queue;
  }

  /** Queues an admitted envelope for a worker. */
  void offer(Envelope<T> envelope) {
    queue.offer(envelope);
  }

  /** Queues an envelope let through late (its key's turn came), unless stopping. */
  void readmit(Envelope<T> envelope) {
    if (lifecycle.isStopping()) {
      settlement.abandon(envelope);
    } else {
      queue.offer(envelope);
    }
  }

  // ---- workers ----

  private void work(Worker worker) {
    MessageProcessor<T, Object> processor = config.processor();
    try {
      Envelope<T> envelope;
      while ((envelope = queue.take(worker.parker)) != null) {
        if (processor == null) {
          processor = openProcessor(worker, envelope);
          if (processor == null) {
            continue;
          }
        }
        runAttempt(envelope, worker, processor);
      }
    } finally {
      if (processor != config.processor() && processor instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          LOG.warn("{}: the processor did not close cleanly: {}", worker, e.toString());
        }
      }
    }
  }

  /** The worker's start hook; on failure the envelope's attempt fails with the cause. */
  private MessageProcessor<T, Object> openProcessor(Worker worker, Envelope<T> envelope) {
    try {
      return java.util.Objects.requireNonNull(config.perWorker().get(),
          "the per-worker processor factory returned null");
    } catch (Throwable t) {
      envelope.attempts++;
      onFailure(envelope, new IllegalStateException(
          "the processor could not start on " + worker + ": " + t, t));
      return null;
    }
  }

  private void runAttempt(Envelope<T> envelope, Worker worker,
      MessageProcessor<T, Object> processor) {
    if (lifecycle.isStopping()) {
      settlement.abandon(envelope);
      return;
    }
    int attempt = ++envelope.attempts;
    long run = worker.nextRun();
    envelope.startRun(run);
    long start = stats.now();
    worker.begin(envelope, run, start);
    if (lifecycle.isStopping() && envelope.claimRun(run)) {
      // stopAll() moved the state before scanning the workers and we published current
      // before reading it, so one of us saw the other; whoever claims the run abandons it
      envelope.release(run);
      worker.end();
      settlement.abandon(envelope);
      return;
    }
    Object result = null;
    Throwable error = null;
    try {
      result = processor.process(envelope.message, attempt);
    } catch (Throwable t) {
      error = t;
    }
    long end = stats.now();
    worker.end();
    stats.onAttempt(end - start, !worker.excludeAttempt);
    if (!envelope.finishRun(run)) {
      envelope.awaitRelease(run);   // the watchdog or a stop took this run and interrupted us
      Thread.interrupted();
      return;
    }
    Thread.interrupted();           // a stray interrupt must not reach the next message
    if (error == null) {
      settlement.result(envelope, result);
    } else {
      onFailure(envelope, error);
    }
  }

  /**
   * A failed attempt: retried, dead-lettered, or abandoned if the pipeline is stopping; a
   * {@link RedeliverException} is not the message's failure: it is nacked, neither counted as
   * failed nor retried nor dead-lettered.
   */
  private void onFailure(Envelope<T> envelope, Throwable error) {
    if (error instanceof RedeliverException) {
      settlement.nack(envelope, error);
      return;
    }
    stats.failed.increment();
    if (lifecycle.isStopping()) {
      settlement.abandon(envelope);
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
      settlement.deadLetter(envelope, error);
    }
  }

  private void retryNow(Envelope<T> envelope) {
    if (awaitingRetry.remove(envelope)) {
      readmit(envelope);
    }
  }

  /** Timer thread: interrupts runs past the timeout and fails their attempt. */
  void enforceTimeout() {
    pool.claimRunsPastDeadline(stats.now(), config.timeout().toNanos(), (envelope, worker) -> {
      stats.timedOut.increment();
      onFailure(envelope, new TimeoutException("attempt " + envelope.attempts
          + " ran past the timeout of " + config.timeout() + " on " + worker));
    });
  }

  /** Abandons everything queued or waiting for a retry, and claims and interrupts every run. */
  void stopAll() {
    Envelope<T> envelope;
    while ((envelope = queue.poll()) != null) {
      settlement.abandon(envelope);
    }
    for (Envelope<T> waiting : List.copyOf(awaitingRetry)) {
      if (awaitingRetry.remove(waiting)) {
        settlement.abandon(waiting);
      }
    }
    pool.claimAllRuns((running, worker) -> settlement.abandon(running));
  }
}
