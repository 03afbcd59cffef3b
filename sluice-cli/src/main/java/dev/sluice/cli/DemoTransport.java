package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.cli.DemoCommand.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * An embedded broker that the demo's events travel through ({@code --via mqtt},
 * {@code --via kafka}): a source that completes after the run's events, and a publisher that
 * sends them on the article's schedule. One caller drives it, from one thread.
 */
interface DemoTransport extends AutoCloseable {

  /** The source, each payload parsed back into the {@link Event} it came from. */
  Flow.Publisher<Message<Event>> events();

  /**
   * {@code source}'s payloads (an event's index as text) parsed back into events; acks go to
   * the original message. For implementations of {@link #events()}.
   */
  static Flow.Publisher<Message<Event>> parsed(Flow.Publisher<Message<byte[]>> source) {
    return subscriber -> source.subscribe(new Flow.Subscriber<Message<byte[]>>() {
      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscriber.onSubscribe(subscription);
      }

      @Override
      public void onNext(Message<byte[]> message) {
        long index = Long.parseLong(new String(message.payload(), StandardCharsets.UTF_8));
        subscriber.onNext(message.withPayload(new Event(index)));
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

  /** Waits until the source listens, so no event is published before anyone does. */
  void awaitSubscribed() throws InterruptedException;

  /**
   * Publishes events 1..{@code count}, the i-th at {@code startNanos + i × interval}, calling
   * {@code submitted} with each index just before its publish, until done or {@code stop}
   * says so; then waits for the broker to confirm them.
   */
  void publish(long count, Duration interval, long startNanos, LongConsumer submitted,
      BooleanSupplier stop) throws InterruptedException;

  /** The summary's line about the broker. */
  String summaryLine();

  /** Stops the source, the publisher and the broker; once, after the pipeline ended. */
  @Override
  void close();

  /** The embedded broker did not start; the message is the line to print. */
  final class BrokerDidNotStart extends Exception {
    private static final long serialVersionUID = 1L;

    BrokerDidNotStart(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
