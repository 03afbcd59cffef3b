package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.PipelineException;
import dev.sluice.cli.DemoCommand.Event;
import dev.sluice.sqs.SqsSource;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The SQS leg of {@code sluice demo --via sqs} in one process: the embedded ElasticMQ queue
 * ({@link SqsDemoQueue}), a {@code sluice-sqs} source on it that completes after the run's
 * events, and the queue's client sending each event on the article's schedule. The source
 * deletes a message only after the pipeline has processed its event.
 *
 * <p><b>Threads.</b> {@link #publish} runs on the caller's thread and calls its
 * {@code submitted} callback there; the events' {@code onNext} runs on the source's receive
 * thread. Not thread-safe otherwise: one caller drives it.
 *
 * <p><b>Shutdown.</b> {@link #close()}, called once the pipeline has ended, closes the source
 * (which sends its last deletes) and then the queue's client and server.
 */
final class SqsDemo implements DemoTransport {

  /** The source's long poll: short, so that closing never waits long for one to end. */
  static final Duration WAIT = Duration.ofSeconds(1);
  private static final Duration READY = Duration.ofSeconds(30);

  private final SqsDemoQueue queue;
  private final SqsSource source;

  private SqsDemo(SqsDemoQueue queue, SqsSource source) {
    this.queue = queue;
    this.source = source;
  }

  /**
   * Starts the server, creates the queue and builds the source, which completes after
   * {@code events} messages.
   *
   * @throws BrokerDidNotStart if the server or the queue did not come up
   */
  static SqsDemo open(long events) throws BrokerDidNotStart {
    SqsDemoQueue queue = SqsDemoQueue.open();
    try {
      SqsSource source = SqsSource.builder().client(queue.client()).queue(SqsDemoQueue.QUEUE)
          .waitTime(WAIT).stopAfter(events).build();
      return new SqsDemo(queue, source);
    } catch (RuntimeException e) {
      queue.close();
      throw e;
    }
  }

  @Override
  public Flow.Publisher<Message<Event>> events() {
    return DemoTransport.parsed(source, text -> text);
  }

  /**
   * Waits until the source has found its queue and is about to receive.
   *
   * @throws PipelineException if the source failed or took longer than 30 s
   */
  @Override
  public void awaitSubscribed() throws InterruptedException {
    try {
      source.ready().get(READY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new PipelineException("the demo's SQS source could not read its queue",
          e.getCause());
    } catch (TimeoutException e) {
      throw new PipelineException("the demo's SQS source did not find its queue within "
          + DurationParser.format(READY), e);
    }
  }

  @Override
  public void publish(long count, Duration interval, long startNanos, LongConsumer submitted,
      BooleanSupplier stop) throws InterruptedException {
    queue.publish(count, interval, startNanos, submitted, stop);
  }

  @Override
  public String summaryLine() {
    return String.format(Locale.ROOT,
        "via SQS: embedded ElasticMQ on %s, queue %s: %d sent and accepted, %d received, "
            + "each deleted only after its event was processed", queue.endpoint(),
        SqsDemoQueue.QUEUE, queue.sent(), source.stats().received());
  }

  @Override
  public void close() {
    try {
      source.close();
    } finally {
      queue.close();
    }
  }
}
