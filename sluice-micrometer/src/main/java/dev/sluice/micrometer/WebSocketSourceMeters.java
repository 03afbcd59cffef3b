package dev.sluice.micrometer;

import dev.sluice.websocket.WebSocketSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * A {@link WebSocketSource}'s counters (its state comes through the SPI, in
 * {@link SourceMeters}). Loaded only for a {@code WebSocketSource}: sluice-websocket is an
 * optional dependency of this module. Thread-safe, as {@link WebSocketSource#stats()} is.
 */
final class WebSocketSourceMeters {

  private WebSocketSourceMeters() {
  }

  static void bind(MeterRegistry registry, Object object, Tags tags) {
    WebSocketSource source = (WebSocketSource) object;
    SourceMeters.counter(registry, SourceMeters.RECEIVED,
        "Messages read from the source's connection, dropped and rejected ones included.",
        source, s -> s.stats().received(), tags);
    SourceMeters.counter(registry, SourceMeters.DROPPED,
        "Messages the source discarded (and nacked) because its buffer was full.",
        source, s -> s.stats().dropped(), tags);
    SourceMeters.counter(registry, SourceMeters.REJECTED,
        "Messages the source could not deliver as they were (too large, malformed), handed "
            + "to the pipeline to dead-letter.", source, s -> s.stats().deadLettered(), tags);
    SourceMeters.counter(registry, SourceMeters.RECONNECTS,
        "Connections lost and attempted again.", source, s -> s.stats().reconnects(), tags);
    SourceMeters.gauge(registry, SourceMeters.BUFFERED,
        "Messages the source holds, received and not yet taken by the pipeline.",
        source, s -> s.stats().buffered(), tags);
  }
}
