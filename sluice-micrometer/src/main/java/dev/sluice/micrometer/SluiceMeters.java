package dev.sluice.micrometer;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.StatsMetric;
import dev.sluice.Tap;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A pipeline's metrics on a Micrometer {@link MeterRegistry}, so a Spring Boot or Quarkus
 * service exports them with its own: the {@link StatsMetric} counters and gauges, and timers
 * of each attempt and of each message from receipt to settlement (with percentile histograms,
 * which aggregate across instances). With a Prometheus registry the names come out as
 * {@code sluice run --metrics-port} serves them ({@code sluice.messages.received} →
 * {@code sluice_messages_received_total}; the timers as {@code sluice_attempt_duration_seconds}
 * and {@code sluice_end_to_end_duration_seconds}).
 *
 * <pre>{@code
 * SluiceMeters meters = SluiceMeters.register(registry, Tags.of("pipeline", "orders"));
 * Tap<Order> tap = Tap.of(meters);           // the timers need the tap
 * Pipeline pipeline = Sluice.from(tap.source(orders))
 *     .processMessages(tap.processor(this::score))
 *     .start();
 * meters.bind(pipeline);                      // the counters and gauges
 * meters.bindSource(orders);                  // the source's connection, backlog, counters
 * }</pre>
 *
 * <p><b>Threads.</b> Thread-safe. The timers are recorded on the pipeline's threads (as a
 * {@link Tap.Listener}); each counter and gauge reads a {@link Pipeline#stats()} snapshot on
 * whichever thread the registry reads it (cheap enough for any scrape interval).
 */
public final class SluiceMeters implements Tap.Listener {

  private final MeterRegistry registry;
  private final Tags tags;
  private final Timer attempts;
  private final Timer endToEnd;

  private SluiceMeters(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tags = tags;
    this.attempts = Timer.builder("sluice.attempt.duration")
        .description("Processing time of each attempt.").tags(tags)
        .publishPercentileHistogram().register(registry);
    this.endToEnd = Timer.builder("sluice.end.to.end.duration")
        .description("Time from receipt to settlement (acknowledged or nacked) of each message.")
        .tags(tags).publishPercentileHistogram().register(registry);
  }

  /** Registers the timers on {@code registry}, tagged with {@code tags} (e.g. the pipeline). */
  public static SluiceMeters register(MeterRegistry registry, Iterable<Tag> tags) {
    return new SluiceMeters(Objects.requireNonNull(registry, "registry"), Tags.of(tags));
  }

  @Override
  public void attemptEnded(Tap.Attempt attempt) {
    attempts.record(attempt.endNanos() - attempt.startNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void settled(Message<?> message, boolean acked, long receivedNanos, long nanos) {
    endToEnd.record(nanos - receivedNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Registers the meters of {@code source} (the connector itself, not a wrapper around it),
   * with this binding's tags. Any source that implements the SPI's
   * {@link dev.sluice.spi.SourceConnection} gets {@code sluice.source.state} (one gauge per
   * state, tagged {@code state=connected} and so on, 1 for the current one) and any that
   * implements {@link dev.sluice.spi.SourceBacklog} gets {@code sluice.source.backlog} (NaN
   * while unknown). An {@code MqttSource} or {@code WebSocketSource} also gets its counters:
   * {@code sluice.source.messages.received}, {@code .dropped} (buffer overflow),
   * {@code .rejected} (too large or malformed), {@code sluice.source.reconnects},
   * {@code sluice.source.buffered}, and for MQTT the ack window
   * ({@code sluice.source.unacked}, {@code sluice.source.unacked.oldest},
   * {@code sluice.source.messages.acked} and {@code .nacked}). A source that reports none of
   * these registers nothing. Call it once per source; bind two sources with two bindings
   * whose tags differ.
   */
  public void bindSource(Object source) {
    SourceMeters.bind(registry, Objects.requireNonNull(source, "source"), tags);
  }

  /** Registers {@code pipeline}'s counters and gauges. Call it once, after it started. */
  public void bind(Pipeline pipeline) {
    Objects.requireNonNull(pipeline, "pipeline");
    for (StatsMetric metric : StatsMetric.values()) {
      if (metric.kind() == StatsMetric.Kind.COUNTER) {
        FunctionCounter.builder(metric.dottedName(), pipeline, p -> metric.valueIn(p.stats()))
            .description(metric.help()).tags(tags).register(registry);
      } else {
        // strong: the registry keeps the pipeline reachable for its counters too
        Gauge.builder(metric.dottedName(), pipeline, p -> metric.valueIn(p.stats()))
            .description(metric.help()).tags(tags).strongReference(true).register(registry);
      }
    }
  }
}
