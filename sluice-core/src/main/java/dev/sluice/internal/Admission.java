package dev.sluice.internal;

import dev.sluice.Message;
import dev.sluice.PipelineException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * The start of a message's walk: the pipeline's {@link Flow.Subscriber}. Each message becomes
 * an {@link Envelope} numbered in arrival order and is admitted to the workers, held back
 * behind its key ({@link KeyLanes}, under BY_KEY), or settled at once: dead-lettered if its
 * source delivered it already failed or its key cannot be read, nacked if the pipeline is
 * draining.
 *
 * <p><b>Demand.</b> The subscription goes to {@link SourceDemand}, which first requests
 * {@code maxInFlight}; {@link Settlement} requests more as messages settle.
 *
 * <p><b>Threads.</b> The source calls the {@code on*} methods one at a time (rule 1.3), so
 * {@link #received} has one writer; it is volatile, written before the lifecycle is read, so
 * that the end-of-pipeline check ({@code settled == received} after the source ended) cannot
 * miss the last message. {@link #received()} may be read from any thread.
 */
final class Admission<T> implements Flow.Subscriber<Message<T>> {

  private final PipelineConfig<T> config;
  private final StatsRecorder stats;
  private final Lifecycle lifecycle;
  private final SourceDemand demand;
  private final KeyLanes<T> lanes;
  private final Attempts<T> attempts;
  private final Settlement<T> settlement;
  private final Consumer<PipelineException> fail;
  private final Runnable sourceEnded;
  private volatile long received;              // written by the source thread only

  /**
   * @param fail        records a failure and starts the drain
   * @param sourceEnded runs once the source completed or failed
   */
  Admission(PipelineConfig<T> config, StatsRecorder stats, Lifecycle lifecycle,
      SourceDemand demand, KeyLanes<T> lanes, Attempts<T> attempts, Settlement<T> settlement,
      Consumer<PipelineException> fail, Runnable sourceEnded) {
    this.config = config;
    this.stats = stats;
    this.lifecycle = lifecycle;
    this.demand = demand;
    this.lanes = lanes;
    this.attempts = attempts;
    this.settlement = settlement;
    this.fail = fail;
    this.sourceEnded = sourceEnded;
  }

  long received() {
    return received;
  }

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
    if (!lifecycle.isRunning()) {
      settlement.nack(envelope, new CancellationException("pipeline is draining: message not taken"));
      return;
    }
    if (message.failure() != null) {    // the source could not deliver it as it was
      settlement.deadLetter(envelope, message.failure());
      return;
    }
    if (lanes != null) {
      try {
        envelope.key = config.keyFunction().apply(message);
      } catch (RuntimeException e) {
        settlement.deadLetter(envelope, new IllegalArgumentException(
            "cannot read the message's key: " + e.getMessage(), e));
        return;
      }
      if (envelope.key != null && !lanes.admit(envelope)) {
        return;
      }
    }
    try {
      attempts.offer(envelope);
    } catch (RuntimeException e) {     // a bug, but the message must still settle
      fail.accept(new PipelineException("internal error admitting a message: " + e, e));
      settlement.nack(envelope, e);
    }
  }

  @Override
  public void onError(Throwable error) {
    Objects.requireNonNull(error, "error");
    lifecycle.failed(new PipelineException("source failed: " + error, error));
    sourceEnded.run();
  }

  @Override
  public void onComplete() {
    sourceEnded.run();
  }
}
