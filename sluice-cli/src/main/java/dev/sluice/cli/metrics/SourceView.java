package dev.sluice.cli.metrics;

import dev.sluice.spi.ConnectionState;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the metrics endpoint shows of the pipeline's source: whether it is connected (for
 * {@code /health}), its connection state where it has one, and its backlog (a broker's lag, a
 * queue's depth, a generator's due events) where it knows it.
 *
 * <p><b>Threads.</b> Immutable; each supplier is called on the metrics server's thread while
 * the source's own threads run, so each must be thread-safe and must not block.
 *
 * @param connected true while the source's connection is up (or it has none)
 * @param state     the connection's state, or null for a source without a connection
 * @param backlog   messages ready at the source and not yet taken, or -1 when unknown
 */
public record SourceView(BooleanSupplier connected, Supplier<ConnectionState> state,
    LongSupplier backlog) {

  public SourceView {
    Objects.requireNonNull(connected, "connected");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(backlog, "backlog");
  }

  /** A source known only as connected or not: no state, no backlog. */
  public static SourceView connectedOnly(BooleanSupplier connected) {
    return new SourceView(connected, () -> null, () -> -1);
  }

  /** How a state reads on the page and in labels: {@code backing off}, {@code connected}. */
  static String words(ConnectionState state) {
    return state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /** How a state reads as a label value, as the Micrometer binding writes it too. */
  static String label(ConnectionState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }
}
