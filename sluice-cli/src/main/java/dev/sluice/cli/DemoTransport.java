package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.cli.DemoCommand.Event;
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
