package dev.sluice;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a pipeline's messages from outside its engine, for pictures and metrics: wrap the
 * source, the processor and (optionally) the dead-letter sink that you hand to a
 * {@link PipelineBuilder}, and the tap tells its {@link Listener}s when each message arrives,
 * when each attempt starts and ends (on which worker, how), when a message is dead-lettered
 * and when it is settled (acknowledged or nacked). {@link Timeline} is built on it.
 *
 * <pre>{@code
 * Timeline timeline = Timeline.keepingLast(10_000);
 * Tap<Event> tap = Tap.of(timeline);
 * Pipeline pipeline = Sluice.from(tap.source(events))
 *     .workers(5)
 *     .processMessages(tap.processor(event -> score(event)))
 *     .start();
 * pipeline.awaitCompletion();
 * timeline.writeHtml(Path.of("run.html"), "scoring");
 * }</pre>
 *
 * <p>The source's messages are re-wrapped (same payload, key and metadata) with an
 * acknowledger that reports the settlement and then passes it on to the original, so the
 * source sees exactly the acks and nacks it would have seen. A tap with no listeners returns
 * what it is given, unwrapped.
 *
 * <p><b>Threads.</b> A tap is immutable and thread-safe. Listeners are called on the thread
 * where the thing happens: {@code received} on the source's thread, the attempt callbacks on
 * the worker running the attempt, {@code deadLettered} on the thread writing the dead letter,
 * {@code settled} on whichever thread acknowledges (a worker, a sink's completion thread, the
 * pipeline's timer). Listeners must therefore be thread-safe and quick; an exception one
 * throws is logged and ignored, so a listener cannot break the pipeline.
 *
 * @param <T> the payload type
 */
public final class Tap<T> {

  private static final Logger LOG = LoggerFactory.getLogger(Tap.class);

  /**
   * What a {@link Tap} reports. Every method has an empty default; times are from the tap's
   * {@link Ticker}, in nanoseconds. The {@code message} passed is the one the pipeline
   * holds, the same object in every callback for one message, so listeners may key on its
   * identity.
   */
  public interface Listener {

    /** The source delivered {@code message}. */
    default void received(Message<?> message, long nanos) {
    }

    /** Attempt {@code attempt} (1 for the first) of {@code message} starts on {@code worker}. */
    default void attemptStarted(Message<?> message, int attempt, String worker, long nanos) {
    }

    /** An attempt ended: see {@link Attempt}. */
    default void attemptEnded(Attempt attempt) {
    }

    /** The pipeline gave up on a message and is writing it to the dead-letter sink. */
    default void deadLettered(DeadLetter<?> letter, long nanos) {
    }

    /**
     * {@code message} was settled: acknowledged ({@code acked}: its result written or its
     * dead letter written) or nacked (given up unprocessed). {@code receivedNanos} is when
     * it arrived.
     */
    default void settled(Message<?> message, boolean acked, long receivedNanos, long nanos) {
    }
  }

  /**
   * One attempt as the processor saw it.
   *
   * @param message     the message
   * @param number      the attempt number, 1 for the first
   * @param worker      the name of the worker thread that ran it
   * @param startNanos  when the processor was called
   * @param endNanos    when it returned or threw
   * @param failure     what it threw, or null when it returned a result
   * @param interrupted the worker was interrupted: the attempt ran past the pipeline's
   *                    timeout (or the pipeline was stopping)
   */
  public record Attempt(Message<?> message, int number, String worker, long startNanos,
      long endNanos, Throwable failure, boolean interrupted) {
  }

  private final Ticker ticker;
  private final Listener[] listeners;

  private Tap(Ticker ticker, Listener[] listeners) {
    this.ticker = ticker;
    this.listeners = listeners;
  }

  /** A tap reporting to {@code listeners}, timed by {@link Ticker#system()}. */
  public static <T> Tap<T> of(Listener... listeners) {
    return of(Ticker.system(), listeners);
  }

  /** A tap reporting to {@code listeners}, timed by {@code ticker}. */
  public static <T> Tap<T> of(Ticker ticker, Listener... listeners) {
    Objects.requireNonNull(ticker, "ticker");
    Listener[] copy = listeners.clone();
    for (Listener l : copy) {
      Objects.requireNonNull(l, "listener");
    }
    return new Tap<>(ticker, copy);
  }

  /** {@code source}, reporting each arrival and each message's settlement. */
  public Flow.Publisher<Message<T>> source(Flow.Publisher<Message<T>> source) {
    Objects.requireNonNull(source, "source");
    if (listeners.length == 0) {
      return source;
    }
    return new Tapped(source);
  }

  /** The tapped source; passes on the backlog its source reports (see SourceBacklog). */
  private final class Tapped implements Flow.Publisher<Message<T>>, dev.sluice.spi.SourceBacklog {
    private final Flow.Publisher<Message<T>> source;

    Tapped(Flow.Publisher<Message<T>> source) {
      this.source = source;
    }

    @Override
    public long backlog() {
      return dev.sluice.spi.SourceBacklog.of(source);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Message<T>> subscriber) {
      source.subscribe(new Flow.Subscriber<Message<T>>() {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
          subscriber.onSubscribe(subscription);
        }

        @Override
        public void onNext(Message<T> message) {
          subscriber.onNext(track(message));
        }

        @Override
        public void onError(Throwable error) {
          subscriber.onError(error);
        }

        @Override
        public void onComplete() {
          subscriber.onComplete();
        }
      });
    }
  }

  /** {@code processor} (for {@link PipelineBuilder#processMessages}), reporting each attempt. */
  public <R> MessageProcessor<T, R> processor(Processor<? super T, ? extends R> processor) {
    Objects.requireNonNull(processor, "processor");
    return messageProcessor((message, attempt) -> processor.process(message.payload()));
  }

  /** {@code processor}, reporting each attempt. */
  public <R> MessageProcessor<T, R> messageProcessor(
      MessageProcessor<T, ? extends R> processor) {
    Objects.requireNonNull(processor, "processor");
    if (listeners.length == 0) {
      return processor::process;
    }
    return (message, attempt) -> {
      String worker = Thread.currentThread().getName();
      long start = ticker.nanoTime();
      for (Listener l : listeners) {
        try {
          l.attemptStarted(message, attempt, worker, start);
        } catch (RuntimeException e) {
          misbehaved(l, e);
        }
      }
      Throwable failure = null;
      try {
        return processor.process(message, attempt);
      } catch (Throwable t) {
        failure = t;
        throw t;
      } finally {
        boolean interrupted = Thread.currentThread().isInterrupted()
            || failure instanceof InterruptedException;
        Attempt ended = new Attempt(message, attempt, worker, start, ticker.nanoTime(),
            failure, interrupted);
        for (Listener l : listeners) {
          try {
            l.attemptEnded(ended);
          } catch (RuntimeException e) {
            misbehaved(l, e);
          }
        }
      }
    };
  }

  /** {@code deadLetters}, reporting each dead letter before it is written. */
  public Sink<DeadLetter<T>> deadLetters(Sink<? super DeadLetter<T>> deadLetters) {
    Objects.requireNonNull(deadLetters, "deadLetters");
    return new Sink<>() {
      @Override
      public CompletionStage<Void> write(DeadLetter<T> letter, Message<?> source) {
        long now = ticker.nanoTime();
        for (Listener l : listeners) {
          try {
            l.deadLettered(letter, now);
          } catch (RuntimeException e) {
            misbehaved(l, e);
          }
        }
        return deadLetters.write(letter, source);
      }

      @Override
      public CompletionStage<Void> flush() {
        return deadLetters.flush();
      }

      @Override
      public void close() throws Exception {
        deadLetters.close();
      }
    };
  }

  private Message<T> track(Message<T> original) {
    long now = ticker.nanoTime();
    Settlement settlement = new Settlement(original, now);
    Message.Builder<T> copy = Message.builder(original.payload()).key(original.key())
        .topic(original.topic()).headers(original.headers()).acknowledger(settlement);
    if (original.sequence() >= 0) {
      copy.sequence(original.sequence());
    }
    Message<T> tracked = copy.build();
    settlement.tracked = tracked;   // before the pipeline sees it: its hand-offs publish it
    for (Listener l : listeners) {
      try {
        l.received(tracked, now);
      } catch (RuntimeException e) {
        misbehaved(l, e);
      }
    }
    return tracked;
  }

  private static void misbehaved(Listener listener, RuntimeException e) {
    LOG.warn("tap listener {} failed; ignored", listener, e);
  }

  /** Passes the settlement on to the original message, then reports it. */
  private final class Settlement implements Acknowledger {
    private final Message<T> original;
    private final long receivedNanos;
    Message<T> tracked;

    Settlement(Message<T> original, long receivedNanos) {
      this.original = original;
      this.receivedNanos = receivedNanos;
    }

    @Override
    public void ack() {
      original.ack();
      report(true);
    }

    @Override
    public void nack(Throwable cause) {
      original.nack(cause);
      report(false);
    }

    private void report(boolean acked) {
      long now = ticker.nanoTime();
      for (Listener l : listeners) {
        try {
          l.settled(tracked, acked, receivedNanos, now);
        } catch (RuntimeException e) {
          misbehaved(l, e);
        }
      }
    }
  }
}
