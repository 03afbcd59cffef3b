package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.PipelineException;
import dev.sluice.cli.DemoCommand.Event;
import dev.sluice.kafka.KafkaSink;
import dev.sluice.kafka.KafkaSource;
import dev.sluice.kafka.KafkaSourceStats;
import dev.sluice.kafka.broker.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The Kafka leg of {@code sluice demo --via kafka}: an in-process single-node KRaft broker on
 * 127.0.0.1 at free ports, a one-partition topic {@value #TOPIC}, a source in the consumer group
 * {@value #GROUP} that completes after the run's events, and an idempotent producer that sends
 * each event's index as UTF-8 text on the article's schedule. The source commits an event's
 * offset only after the pipeline has processed it.
 *
 * <p><b>Threads.</b> {@link #publish} runs on the caller's thread and calls its
 * {@code submitted} callback there, just before each send; the events' {@code onNext} runs on
 * the source's poll thread. Not thread-safe otherwise: one caller drives it.
 *
 * <p><b>Shutdown.</b> {@link #close()}, called once the pipeline has ended, closes the source
 * (which commits and leaves the group) and the producer, then stops the broker, waiting for each.
 */
final class KafkaDemo implements DemoTransport {

  /** The topic the events travel on. */
  static final String TOPIC = "demo-events";
  /** The consumer group of the demo's source. */
  static final String GROUP = "sluice-demo";
  /** How long the embedded broker may take to start. */
  static final Duration BROKER_START = Duration.ofSeconds(30);
  private static final Duration ASSIGN = Duration.ofSeconds(30);

  private final EmbeddedKafkaBroker broker;
  private final KafkaSource source;
  private final KafkaSink<String> publisher;
  private final DemoSends sends;

  private KafkaDemo(EmbeddedKafkaBroker broker, KafkaSource source, KafkaSink<String> publisher) {
    this.broker = broker;
    this.source = source;
    this.publisher = publisher;
    this.sends = new DemoSends(publisher, "producing an event to the embedded broker failed");
  }

  /**
   * Starts the broker (waiting at most {@link #BROKER_START}), creates the topic, and builds the
   * source, which completes after {@code events} records, and the producer.
   *
   * @throws BrokerDidNotStart if the broker did not start in time
   */
  static KafkaDemo open(long events) throws BrokerDidNotStart {
    EmbeddedKafkaBroker broker;
    try {
      broker = EmbeddedKafkaBroker.builder().timeout(BROKER_START).start();
      broker.createTopic(TOPIC, 1);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new BrokerDidNotStart("the embedded Kafka broker did not start within "
          + DurationParser.format(BROKER_START) + ": " + (cause.getMessage() != null
          ? cause.getMessage() : cause.getClass().getSimpleName()), e);
    }
    try {
      KafkaSource source = KafkaSource.builder().bootstrapServers(broker.bootstrapServers())
          .topics(TOPIC).group(GROUP).clientId("sluice-demo").stopAfter(events).build();
      KafkaSink<String> publisher = KafkaSink.builder()
          .bootstrapServers(broker.bootstrapServers()).topic(TOPIC).property("linger.ms", "0")
          .build(text -> text.getBytes(StandardCharsets.UTF_8));
      return new KafkaDemo(broker, source, publisher);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  @Override
  public Flow.Publisher<Message<Event>> events() {
    return DemoTransport.parsed(source);
  }

  /**
   * Waits until the group has assigned the source its partition.
   *
   * @throws PipelineException if the source failed or took longer than 30 s
   */
  @Override
  public void awaitSubscribed() throws InterruptedException {
    try {
      source.assigned().get(ASSIGN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new PipelineException("the demo's Kafka source could not join its group",
          e.getCause());
    } catch (TimeoutException e) {
      throw new PipelineException("the demo's Kafka source was not assigned its partition "
          + "within " + DurationParser.format(ASSIGN), e);
    }
  }

  @Override
  public void publish(long count, Duration interval, long startNanos, LongConsumer submitted,
      BooleanSupplier stop) throws InterruptedException {
    DemoTransport.onSchedule(count, interval, startNanos, stop, i -> {
      submitted.accept(i);
      sends.send(i);
    });
    if (stop.getAsBoolean()) {
      return;
    }
    publisher.flush();           // until every send is acknowledged or has failed
    sends.throwIfFailed();
  }

  @Override
  public String summaryLine() {
    KafkaSourceStats stats = source.stats();
    return String.format(Locale.ROOT,
        "via Kafka: embedded KRaft broker on %s, topic %s, group %s: %d produced and "
            + "acknowledged (acks=all), %d received, each offset committed only after its "
            + "event was processed", broker.bootstrapServers(), TOPIC, GROUP, sends.confirmed(),
        stats.received());
  }

  @Override
  public void close() {
    try {
      source.close();
      publisher.close();
    } finally {
      broker.close();
    }
  }
}
