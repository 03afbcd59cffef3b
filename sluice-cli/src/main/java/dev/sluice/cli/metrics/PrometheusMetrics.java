package dev.sluice.cli.metrics;

import dev.sluice.Message;
import dev.sluice.Stats;
import dev.sluice.StatsMetric;
import dev.sluice.Tap;
import dev.sluice.spi.ConnectionState;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A pipeline's metrics on the official Prometheus Java client: the {@link Stats} counters and
 * gauges ({@link StatsMetric}, read from one snapshot per scrape, under the names
 * {@code /metrics} has always served), plus real histograms of attempt and end-to-end latency,
 * fed as a {@link Tap} listener, so they aggregate across the members of a share group or
 * consumer group. The source's figures, where it reports them: {@code sluice_source_backlog}
 * (messages ready at the source and not yet taken: a broker's lag, a queue's depth; no sample
 * while unknown) and {@code sluice_source_state} (one series per connection state, labelled
 * {@code state="connected"} and so on, 1 for the current one; none for a source without a
 * connection), named as the Micrometer binding names them. Every series carries a
 * {@code pipeline} label; {@code instance} is left to Prometheus, whose target label it is.
 *
 * <p><b>Threads.</b> The listener callbacks come from the workers and acknowledging threads
 * (the client's histograms are thread-safe); {@link #scrape} is synchronized, so the callbacks
 * of one scrape all read the same snapshot.
 */
public final class PrometheusMetrics implements Tap.Listener {

  /** Upper bounds of the latency buckets, in seconds: 1 ms to 10 min. */
  static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
      2.5, 5, 10, 25, 60, 120, 300, 600};

  /** One exposition: its content type and bytes. */
  public record Exposition(String contentType, byte[] body) {
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final Histogram attempts;
  private final Histogram endToEnd;
  private Stats current;       // guarded by this: the snapshot the callbacks of a scrape read
  private boolean healthy;     // guarded by this

  /** Metrics labelled {@code pipeline="NAME"}, with no source figures. */
  public PrometheusMetrics(String pipeline) {
    this(pipeline, SourceView.connectedOnly(() -> true));
  }

  /** Metrics labelled {@code pipeline="NAME"}, with {@code source}'s state and backlog. */
  public PrometheusMetrics(String pipeline, SourceView source) {
    Labels labels = Labels.of("pipeline", pipeline);
    for (StatsMetric metric : StatsMetric.values()) {
      if (metric.kind() == StatsMetric.Kind.COUNTER) {
        CounterWithCallback.builder().name(metric.prometheusName()).help(metric.help())
            .constLabels(labels).callback(cb -> cb.call(metric.valueIn(current)))
            .register(registry);
      } else {
        GaugeWithCallback.builder().name(metric.prometheusName()).help(metric.help())
            .constLabels(labels).callback(cb -> cb.call(metric.valueIn(current)))
            .register(registry);
      }
    }
    GaugeWithCallback.builder().name("sluice_healthy")
        .help("1 when /health answers 200, else 0.").constLabels(labels)
        .callback(cb -> cb.call(healthy ? 1 : 0)).register(registry);
    GaugeWithCallback.builder().name("sluice_source_backlog")
        .help("Messages ready at the source and not yet taken (a broker's lag, a queue's "
            + "depth); absent while the source does not know.").constLabels(labels)
        .callback(cb -> {
          long backlog = source.backlog().getAsLong();
          if (backlog >= 0) {
            cb.call(backlog);
          }
        }).register(registry);
    GaugeWithCallback.builder().name("sluice_source_state")
        .help("1 for the state the source's connection is in, else 0; absent for a source "
            + "without a connection.").constLabels(labels).labelNames("state")
        .callback(cb -> {
          ConnectionState now = source.state().get();
          if (now != null) {
            for (ConnectionState each : ConnectionState.values()) {
              cb.call(each == now ? 1 : 0, SourceView.label(each));
            }
          }
        }).register(registry);
    attempts = Histogram.builder().name("sluice_attempt_duration_seconds")
        .help("Processing time of each attempt.").constLabels(labels)
        .classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
    endToEnd = Histogram.builder().name("sluice_end_to_end_duration_seconds")
        .help("Time from receipt to settlement (acknowledged or nacked) of each message.")
        .constLabels(labels).classicOnly().classicUpperBounds(BUCKETS).withoutExemplars()
        .register(registry);
  }

  @Override
  public void attemptEnded(Tap.Attempt attempt) {
    attempts.observe((attempt.endNanos() - attempt.startNanos()) / 1e9);
  }

  @Override
  public void settled(Message<?> message, boolean acked, long receivedNanos, long nanos) {
    endToEnd.observe((nanos - receivedNanos) / 1e9);
  }

  /**
   * The exposition of {@code stats} in the format {@code accept} asks for: OpenMetrics when
   * it names {@code application/openmetrics-text}, else the Prometheus text format 0.0.4.
   */
  public synchronized Exposition scrape(Stats stats, boolean healthy, String accept) {
    this.current = stats;
    this.healthy = healthy;
    ExpositionFormatWriter writer = formats.findWriter(accept);
    if (!writer.isAvailable() || !writer.getContentType().startsWith("application/openmetrics")) {
      writer = formats.getPrometheusTextFormatWriter();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Exposition(writer.getContentType(), out.toByteArray());
  }
}
