package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.cli.DemoCommand.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * An embedded broker that the demo's events travel through ({@code --via mqtt},
 * {@code --via kafka}, {@code --via sqs}): a source that completes after the run's events, and a publisher that
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
    return parsed(source, bytes -> new String(bytes, StandardCharsets.UTF_8));
  }

  /**
   * {@code source}'s payloads, read as text by {@code text}, parsed back into events; acks go
   * to the original message. For implementations of {@link #events()}.
   */
  static <T> Flow.Publisher<Message<Event>> parsed(Flow.Publisher<Message<T>> source,
      Function<? super T, String> text) {
    return subscriber -> source.subscribe(new Flow.Subscriber<Message<T>>() {
      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscriber.onSubscribe(subscription);
      }

      @Override
      public void onNext(Message<T> message) {
        long index = Long.parseLong(text.apply(message.payload()).strip());
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

  /**
   * The article's schedule: calls {@code send} with 1..{@code count}, the i-th at
   * {@code startNanos + i × interval}, on the caller's thread, until done or {@code stop} says
   * so; returns how many it sent.
   */
  static long onSchedule(long count, Duration interval, long startNanos, BooleanSupplier stop,
      LongConsumer send) throws InterruptedException {
    long step = interval.toNanos();
    long sent = 0;
    for (long i = 1; i <= count && !stop.getAsBoolean(); i++) {
      long wait = startNanos + i * step - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      if (stop.getAsBoolean()) {
        break;
      }
      send.accept(i);
      sent++;
    }
    return sent;
  }

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
