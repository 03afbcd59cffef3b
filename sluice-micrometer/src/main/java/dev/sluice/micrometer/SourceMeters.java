package dev.sluice.micrometer;

import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.SourceBacklog;
import dev.sluice.spi.SourceConnection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The source's meters, for {@link SluiceMeters#bindSource}: first what the core SPI lets any
 * connector report ({@link SourceConnection}: {@code sluice.source.state}; {@link SourceBacklog}:
 * {@code sluice.source.backlog}), then the counters of the connectors this module knows
 * ({@link MqttSourceMeters}, {@link WebSocketSourceMeters}). Those connectors are optional
 * dependencies: their binders are named here by class name only, and loaded only for a source
 * of that class, whose jar is then on the class path.
 *
 * <p><b>Threads.</b> Registration runs on the caller's thread; the gauges and counters read the
 * source's own thread-safe accessors on whichever thread the registry reads them.
 */
final class SourceMeters {

  static final String STATE = "sluice.source.state";
  static final String BACKLOG = "sluice.source.backlog";
  static final String RECEIVED = "sluice.source.messages.received";
  static final String DROPPED = "sluice.source.messages.dropped";
  static final String REJECTED = "sluice.source.messages.rejected";
  static final String RECONNECTS = "sluice.source.reconnects";
  static final String BUFFERED = "sluice.source.buffered";

  private SourceMeters() {
  }

  /** Registers the meters of whatever {@code source} reports (nothing, for a plain one). */
  static void bind(MeterRegistry registry, Object source, Tags tags) {
    if (source instanceof SourceConnection connection) {
      state(registry, connection, SourceConnection::state, tags);
    }
    if (source instanceof SourceBacklog backlog) {
      Gauge.builder(BACKLOG, backlog, b -> {
        long n = b.backlog();
        return n < 0 ? Double.NaN : n;
      }).description("Messages ready at the source and not yet taken (a broker's lag, a "
          + "queue's depth); NaN while the source does not know.")
          .tags(tags).strongReference(true).register(registry);
    }
    switch (source.getClass().getName()) {
      case "dev.sluice.mqtt.MqttSource" -> MqttSourceMeters.bind(registry, source, tags);
      case "dev.sluice.websocket.WebSocketSource" ->
          WebSocketSourceMeters.bind(registry, source, tags);
      default -> { }
    }
  }

  /**
   * {@code sluice.source.state}: one gauge per {@link ConnectionState}, tagged
   * {@code state=connected} and so on, 1 for the state the source is in and 0 for the others
   * (a state set, as Prometheus has it: {@code sluice_source_state{state="connected"} == 1}).
   */
  static <S> void state(MeterRegistry registry, S source, Function<S, ConnectionState> state,
      Tags tags) {
    for (ConnectionState each : ConnectionState.values()) {
      Gauge.builder(STATE, source, s -> state.apply(s) == each ? 1 : 0)
          .description("1 for the state the source's connection is in, else 0.")
          .tags(tags.and("state", tagValue(each))).strongReference(true).register(registry);
    }
  }

  /** The tag value of a state: {@code backing_off}. */
  static String tagValue(ConnectionState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The figures every connector with a connection and a receive buffer has, read from its own
   * statistics: {@code received}, {@code dropped} (overflow), {@code rejected} (too large or
   * malformed), {@code reconnects} and {@code buffered} (a gauge).
   */
  static <S> void connector(MeterRegistry registry, S source, Tags tags,
      ToDoubleFunction<S> received, ToDoubleFunction<S> dropped, ToDoubleFunction<S> rejected,
      ToDoubleFunction<S> reconnects, ToDoubleFunction<S> buffered) {
    counter(registry, RECEIVED, "Messages the source received, dropped and rejected ones "
        + "included.", source, received, tags);
    counter(registry, DROPPED, "Messages the source discarded because its buffer was full "
        + "(its overflow policy).", source, dropped, tags);
    counter(registry, REJECTED, "Messages the source could not deliver as they were (too "
        + "large, malformed): dead-lettered, or sent to a reject sink.", source, rejected, tags);
    counter(registry, RECONNECTS, "Connections lost and attempted again.", source, reconnects,
        tags);
    gauge(registry, BUFFERED, "Messages the source holds, received and not yet taken by the "
        + "pipeline.", source, buffered, tags);
  }

  static <S> void counter(MeterRegistry registry, String name, String help, S source,
      ToDoubleFunction<S> value, Tags tags) {
    FunctionCounter.builder(name, source, value).description(help).tags(tags)
        .register(registry);
  }

  static <S> void gauge(MeterRegistry registry, String name, String help, S source,
      ToDoubleFunction<S> value, Tags tags) {
    Gauge.builder(name, source, value).description(help).tags(tags).strongReference(true)
        .register(registry);
  }
}
