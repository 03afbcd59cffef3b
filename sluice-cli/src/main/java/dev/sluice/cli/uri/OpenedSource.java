package dev.sluice.cli.uri;

import dev.sluice.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;

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
 */
public record OpenedSource(Flow.Publisher<Message<String>> publisher, BooleanSupplier connected,
    AutoCloseable closer, CompletionStage<Void> ready) {

  /** A source without a connection to lose. */
  static OpenedSource local(Flow.Publisher<Message<String>> publisher) {
    return new OpenedSource(publisher, () -> true, () -> { },
        CompletableFuture.completedFuture(null));
  }
}
