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
    SourceMeters.connector(registry, (WebSocketSource) object, tags,
        s -> s.stats().received(), s -> s.stats().dropped(), s -> s.stats().deadLettered(),
        s -> s.stats().reconnects(), s -> s.stats().buffered());
  }
}
