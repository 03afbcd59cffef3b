package dev.sluice.cli.uri;

import dev.sluice.Message;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.SourceConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A source opened from a URI, with a way to ask whether it is connected (for {@code /health})
 * and what to close once the pipeline has ended: sources without a connection (stdin, files,
 * the generator) are always connected and have nothing to close.
 *
 * @param publisher the messages
 * @param connected true while the source's connection is up (or it has none); thread-safe
 * @param closer    releases the connection; call it once, after the pipeline has ended
 * @param ready     completes once the source, subscribed to, is first connected (at once for
 *                  sources without a connection), exceptionally if that failed
 * @param state     where the source's connection stands, or null for a source without one;
 *                  thread-safe
 */
public record OpenedSource(Flow.Publisher<Message<String>> publisher, BooleanSupplier connected,
    AutoCloseable closer, CompletionStage<Void> ready, Supplier<ConnectionState> state) {

  /**
   * A connector's source whose state is what the connector reports through the SPI, when
   * {@code closer} (the connector itself) is a {@link SourceConnection}.
   */
  public OpenedSource(Flow.Publisher<Message<String>> publisher, BooleanSupplier connected,
      AutoCloseable closer, CompletionStage<Void> ready) {
    this(publisher, connected, closer, ready, () -> SourceConnection.of(closer));
  }

  /** A source without a connection to lose. */
  static OpenedSource local(Flow.Publisher<Message<String>> publisher) {
    return new OpenedSource(publisher, () -> true, () -> { },
        CompletableFuture.completedFuture(null), () -> null);
  }
}
