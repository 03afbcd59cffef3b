package dev.sluice.internal;

import dev.sluice.DeadLetter;
import dev.sluice.Ordering;
import dev.sluice.PipelineException;
import dev.sluice.Sink;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The end of a message's walk: its final {@link Outcome} is written (a result to the sink, a
 * dead letter to the dead-letter sink, or nothing for a nack), the source message is acked once
 * the write completes (nacked if it fails), and the envelope is settled: statistics, the next
 * envelope of its key let through, new demand earned.
 *
 * <p><b>One writer.</b> Every write, result or dead letter, is made by one thread at a time:
 * under ORDERED the {@link OrderedEmitter} hands final envelopes over in arrival order and
 * never concurrently; otherwise they wait in a bounded queue that one thread at a time drains
 * (no worker blocks on another's write). So the sinks' calls never overlap and each
 * happens-before the next, as {@link Sink} promises its implementations.
 *
 * <p><b>Demand.</b> Each settlement frees one in-flight permit, which the {@link DemandWindow}
 * asks of the source again in batches (while the pipeline runs), so requested-but-undelivered
 * plus in-flight never exceeds the window.
 *
 * <p><b>Threads.</b> Called by workers (results, failures), the source thread (admission
 * refusals), the timer (timeouts, retries given up) and a sink's completion thread (acks);
 * thread-safe.
 */
final class Settlement<T> {

  private final PipelineConfig<T> config;
  private final StatsRecorder stats;
  private final Lifecycle lifecycle;
  private final DemandWindow window;
  private final KeyLanes<T> lanes;
  private final OrderedEmitter<T> ordered;
  /** Unordered: final envelopes waiting for the one thread that writes (see {@link #emit}). */
  private final TaskQueue<Envelope<T>> toWrite;
  private final AtomicInteger writing = new AtomicInteger();
  private final AtomicLong settled = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();
  private final Consumer<Envelope<T>> readmit;
  private final Consumer<PipelineException> fail;
  private final Runnable settledOne;

  /**
   * @param readmit    takes the next envelope of a key once the previous one settled
   * @param fail       records a sink failure and starts the drain
   * @param settledOne runs after each settlement (the end-of-pipeline check)
   */
  Settlement(PipelineConfig<T> config, StatsRecorder stats, Lifecycle lifecycle,
      DemandWindow window, KeyLanes<T> lanes, Consumer<Envelope<T>> readmit,
      Consumer<PipelineException> fail, Runnable settledOne) {
    this.config = config;
    this.stats = stats;
    this.lifecycle = lifecycle;
    this.window = window;
    this.lanes = lanes;
    this.readmit = readmit;
    this.fail = fail;
    this.settledOne = settledOne;
    this.ordered = config.ordering() == Ordering.ORDERED
        ? new OrderedEmitter<>(config.maxInFlight(), this::writeGuarded) : null;
    this.toWrite = ordered == null ? new TaskQueue<>(config.maxInFlight()) : null;
  }

  // ---- final outcomes ----

  void result(Envelope<T> envelope, Object result) {
    envelope.result = result;
    envelope.outcome = Outcome.RESULT;
    emit(envelope);
  }

  void deadLetter(Envelope<T> envelope, Throwable cause) {
    envelope.failure = cause;
    envelope.outcome = Outcome.DEAD_LETTERED;
    emit(envelope);
  }

  void nack(Envelope<T> envelope, Throwable cause) {
    envelope.failure = cause;
    envelope.outcome = Outcome.NACKED;
    emit(envelope);
  }

  /** Nacks a message the pipeline gave up on unprocessed because it is stopping. */
  void abandon(Envelope<T> envelope) {
    abandoned.incrementAndGet();
    nack(envelope, new CancellationException(
        "pipeline stopped before this message was processed"));
  }

  long settled() {
    return settled.get();
  }

  long abandoned() {
    return abandoned.get();
  }

  // ---- writing ----

  private void emit(Envelope<T> envelope) {
    if (ordered != null) {
      ordered.ready(envelope);    // calls write in arrival order, never concurrently
    } else if (envelope.outcome == Outcome.NACKED
        || envelope.outcome == Outcome.RESULT && envelope.result == null) {
      write(envelope);            // nothing to write: no lock
    } else {
      toWrite.offer(envelope);    // holds an in-flight permit: cannot overflow
      drainWrites();
    }
  }

  /**
   * Writes what waits in {@link #toWrite}, if no other thread is writing: one thread at a time
   * (a work-in-progress counter, as in {@link OrderedEmitter}); a worker that finds another
   * writing leaves its envelope to that one and goes back to work instead of waiting for a
   * lock, and the writer loops until nothing was missed.
   */
  private void drainWrites() {
    if (writing.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      Envelope<T> next;
      while ((next = toWrite.poll()) != null) {
        writeGuarded(next);
      }
      missed = writing.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  /**
   * {@link #write}, for a drain loop that writes for other threads too: a throw there (an
   * acknowledger's bug) must not end the loop with its work-in-progress count held, which
   * would stop every later write; it fails the pipeline instead.
   */
  private void writeGuarded(Envelope<T> envelope) {
    try {
      write(envelope);
    } catch (RuntimeException | Error e) {
      fail.accept(new PipelineException("internal error settling a message: " + e, e));
    }
  }

  /** Writes and settles one envelope; the caller guarantees no two calls overlap. */
  private void write(Envelope<T> envelope) {
    switch (envelope.outcome) {
      case RESULT -> afterWrite(envelope, writeResult(envelope));
      case DEAD_LETTERED -> afterWrite(envelope, writeDeadLetter(envelope));
      default -> {
        envelope.message.nack(envelope.failure);
        settle(envelope);
      }
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

  private CompletionStage<Void> writeDeadLetter(Envelope<T> envelope) {
    DeadLetter<T> letter = new DeadLetter<>(envelope.message, envelope.failure, envelope.attempts);
    try {
      return orFailed(config.deadLetters().write(letter, envelope.message));
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }

  private static CompletionStage<Void> orFailed(CompletionStage<Void> stage) {
    return stage != null ? stage
        : CompletableFuture.failedFuture(new NullPointerException("sink returned null"));
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

  private void sinkFailed(Envelope<T> envelope, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    boolean dead = envelope.outcome == Outcome.DEAD_LETTERED;
    envelope.outcome = Outcome.NACKED;
    envelope.message.nack(cause);
    fail.accept(new PipelineException((dead ? "dead-letter sink" : "sink") + " failed: " + cause,
        cause));
  }

  // ---- settling ----

  private void settle(Envelope<T> envelope) {
    stats.onSettled(envelope.receivedNanos, stats.now());
    if (envelope.outcome == Outcome.DEAD_LETTERED) {
      stats.deadLettered.increment();
    } else if (envelope.outcome == Outcome.NACKED) {
      stats.nacked.increment();
    }
    if (lanes != null && envelope.key != null) {
      Envelope<T> next = lanes.release(envelope.key);
      if (next != null) {
        readmit.accept(next);
      }
    }
    window.settled(settled.incrementAndGet(), lifecycle.isRunning());
    settledOne.run();
  }
}
