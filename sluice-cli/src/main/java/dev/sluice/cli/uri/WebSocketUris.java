package dev.sluice.cli.uri;

import dev.sluice.Sink;
import dev.sluice.cli.tls.ClientTls;
import dev.sluice.spi.ConnectionState;
import dev.sluice.websocket.ConnectionBuilder;
import dev.sluice.websocket.WebSocketSink;
import dev.sluice.websocket.WebSocketSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * {@code ws://} and {@code wss://} sources and sinks (module sluice-websocket). The URI goes
 * to the server as written, query included. What the side's {@link WebSocketOptions} hold is
 * added: handshake headers ({@code --source-header}, {@code --sink-header}; from the
 * environment or a file with {@code @env:} and {@code @file:}), a subscribe message sent after
 * each connect ({@code --source-subscribe}, {@code --sink-subscribe}), for {@code wss://} only
 * the run's TLS settings ({@code --trust-store}, {@code --key-store}). A source's oversize
 * and malformed messages reach the pipeline as already failed, and it dead-letters them to the
 * run's dead-letter sink. The source reconnects with backoff
 * after a lost connection; it counts as connected (for {@code /health}) only while it is open
 * or not yet subscribed: backing off, connecting, closed and failed all count as disconnected.
 *
 * <p>Stateless and thread-safe.
 */
final class WebSocketUris {

  private WebSocketUris() {
  }

  static OpenedSource source(String uri, String rest, UriContext context) {
    URI parsed = parse("--source", uri);
    WebSocketSource.Builder builder = WebSocketSource.builder(parsed);
    WebSocketOptions options = context.webSocket();
    configure(builder, parsed, options, context.tls());
    builder.maxMessageSize(context.maxMessageSize());
    WebSocketSource source = build("--source", uri, builder::build);
    return new OpenedSource(source, () -> connected(source.state()), source,
        java.util.concurrent.CompletableFuture.completedFuture(null));
  }

  static Sink<Object> sink(String option, String uri, String rest, UriContext context) {
    URI parsed = parse(option, uri);
    WebSocketSink.Builder builder = WebSocketSink.builder(parsed);
    configure(builder, parsed, context.webSocket(), context.tls());
    return build(option, uri, builder::<Object>build);
  }

  /** Open, or idle before the pipeline subscribes; anything else is no feed. */
  static boolean connected(ConnectionState state) {
    return state == ConnectionState.CONNECTED || state == ConnectionState.IDLE;
  }

  private static URI parse(String option, String uri) {
    try {
      URI parsed = new URI(uri);
      if (parsed.getHost() == null) {
        throw new IllegalArgumentException(option + " '" + Redaction.uri(uri)
            + "' names no host: write ws://HOST[:PORT]/PATH");
      }
      return parsed;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(option + " '" + Redaction.uri(uri)
          + "' is not a URI: " + e.getReason());
    }
  }

  private static void configure(ConnectionBuilder<?> builder, URI uri,
      WebSocketOptions options, ClientTls tls) {
    for (String header : options.headers()) {
      WebSocketOptions.Header h = WebSocketOptions.parse(options.option() + "-header", header);
      switch (h.kind()) {
        case ENV -> builder.headerFromEnv(h.name(), h.ref());
        case FILE -> builder.headerFromFile(h.name(), Path.of(h.ref()));
        default -> builder.header(h.name(), h.ref());
      }
    }
    if (options.subscribe() != null) {
      builder.subscribeMessage(options.subscribe());
    }
    if (!tls.isDefault() && "wss".equalsIgnoreCase(uri.getScheme())) {
      builder.sslContext(tls.sslContext());
    }
  }

  private static <T> T build(String option, String uri, java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': "
          + e.getMessage());
    }
  }
}
