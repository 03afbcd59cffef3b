package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.PipelineException;
import dev.sluice.cli.DemoCommand.Event;
import dev.sluice.mqtt.MqttSink;
import dev.sluice.mqtt.MqttSource;
import dev.sluice.mqtt.MqttSourceStats;
import dev.sluice.mqtt.broker.EmbeddedBroker;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The MQTT leg of {@code sluice demo --via mqtt}: an embedded MQTT 5 broker (HiveMQ CE) on
 * 127.0.0.1 at a free port, a QoS 1 source on {@value #TOPIC} that completes after the run's
 * events (so the pipeline ends by itself), and a publisher that sends each event's index as
 * UTF-8 text on the article's schedule. The source acknowledges an event (PUBACK) only after
 * the pipeline has processed it.
 *
 * <p><b>Pace.</b> HiveMQ CE sends a client the messages queued for it only once the ones it
 * has in flight are all acknowledged; with acks after processing, an event that arrives while
 * another is being worked on waits at the broker until that one is done, so the run takes
 * longer than over memory (and than over Mosquitto, which sends up to Receive Maximum).
 *
 * <p><b>Threads.</b> {@link #publish} runs on the caller's thread and calls its
 * {@code submitted} callback there, just before each publish; the events' {@code onNext} runs on
 * the MQTT client's event-loop thread. Not thread-safe otherwise: one caller drives it.
 *
 * <p><b>Shutdown.</b> {@link #close()}, called once the pipeline has ended, disconnects the
 * source and the publisher and stops the broker, waiting for each, so none of their threads
 * (HiveMQ's are not daemon threads) outlives it.
 */
final class MqttDemo implements DemoTransport {

  /** The topic the events travel on. */
  static final String TOPIC = "demo/events";
  /** How long the embedded broker may take to open its listener. */
  static final Duration BROKER_START = Duration.ofSeconds(30);
  private static final Duration SUBSCRIBE = Duration.ofSeconds(10);
  private static final Duration CONFIRM = Duration.ofSeconds(10);

  private final EmbeddedBroker broker;
  private final MqttSource source;
  private final MqttSink<String> publisher;
  private final DemoSends sends;

  private MqttDemo(EmbeddedBroker broker, MqttSource source, MqttSink<String> publisher) {
    this.broker = broker;
    this.source = source;
    this.publisher = publisher;
    this.sends = new DemoSends(publisher, "publishing an event to the embedded broker failed");
  }

  /**
   * Starts the broker (waiting at most {@link #BROKER_START}), then builds the source, which
   * completes after {@code events} messages and lets at most {@code maxInFlight} go
   * unacknowledged, and connects the publisher.
   *
   * @throws BrokerDidNotStart   if the broker did not start in time
   * @throws PipelineException   if the publisher could not connect
   */
  static MqttDemo open(long events, int maxInFlight) throws BrokerDidNotStart {
    EmbeddedBroker broker;
    try {
      broker = EmbeddedBroker.start(0, BROKER_START);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new BrokerDidNotStart("the embedded MQTT broker (HiveMQ CE) did not start within "
          + DurationParser.format(BROKER_START) + ": " + (cause.getMessage() != null
          ? cause.getMessage() : cause.getClass().getSimpleName()), e);
    }
    MqttSource source = null;
    try {
      source = MqttSource.builder()
          .uri(broker.uri() + "/" + TOPIC + "?qos=1&client-id=sluice-demo&session-expiry=5m")
          .receiveMaximum(Math.min(65_535, maxInFlight))   // HiveMQ honours it
          .stopAfter(events)
          .build();
      MqttSink<String> publisher = MqttSink.builder()
          .uri(broker.uri() + "/" + TOPIC + "?qos=1&client-id=sluice-demo-events")
          .connect();
      return new MqttDemo(broker, source, publisher);
    } catch (IllegalStateException e) {
      close(source, broker);
      throw new PipelineException("cannot connect to the embedded broker", e);
    } catch (RuntimeException e) {
      close(source, broker);
      throw e;
    }
  }

  private static void close(MqttSource source, EmbeddedBroker broker) {
    if (source != null) {
      source.close();
    }
    broker.close();
  }

  @Override
  public Flow.Publisher<Message<Event>> events() {
    return DemoTransport.parsed(source);
  }

  /**
   * Waits until the source's subscription is acknowledged by the broker, so no event is
   * published before anyone listens.
   *
   * @throws PipelineException if it failed or took longer than 10 s
   */
  @Override
  public void awaitSubscribed() throws InterruptedException {
    try {
      source.subscribed().get(SUBSCRIBE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new PipelineException("the demo's MQTT source could not subscribe", e.getCause());
    } catch (TimeoutException e) {
      throw new PipelineException("the demo's MQTT source did not subscribe within "
          + DurationParser.format(SUBSCRIBE), e);
    }
  }

  /**
   * Publishes events 1..{@code count}, the i-th at {@code startNanos + i × interval} (so the
   * schedule does not drift), calling {@code submitted} with each index just before its
   * publish, until done or {@code stop} says so. Then waits up to 10 s for the broker to
   * confirm every publish.
   *
   * @throws PipelineException if a publish failed or was not confirmed in time
   */
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
    try {
      publisher.flush().toCompletableFuture().get(CONFIRM.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new PipelineException("the broker did not confirm the demo's events within "
          + DurationParser.format(CONFIRM), e);
    }
    sends.throwIfFailed();
  }

  /** The summary's line about the broker: which, where, QoS, and the acks. */
  @Override
  public String summaryLine() {
    MqttSourceStats stats = source.stats();
    return String.format(Locale.ROOT,
        "via MQTT: embedded HiveMQ CE broker on %s, topic %s, QoS 1: %d published and "
            + "confirmed, %d received, %d acked after processing, %d left unacked (HiveMQ CE "
            + "holds a client's next messages until its in-flight ones are acked)",
        broker.uri(), TOPIC, sends.confirmed(), stats.received(), stats.acked(), stats.unacked());
  }

  /** Disconnects the source and the publisher, then stops the broker. Call it once. */
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
