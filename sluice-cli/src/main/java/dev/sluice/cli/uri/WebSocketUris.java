package dev.sluice.cli.uri;

import dev.sluice.Sink;
import dev.sluice.websocket.ConnectionState;
import dev.sluice.websocket.WebSocketSink;
import dev.sluice.websocket.WebSocketSource;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code ws://} and {@code wss://} sources and sinks (module sluice-websocket). The URI goes
 * to the server as written, query included; handshake headers come from {@code --ws-header}
 * (source and sink) and the source's subscribe message from {@code --ws-subscribe}. The source reconnects with backoff
 * after a lost connection; {@code /health} fails while it stays disconnected.
 *
 * <p>Stateless and thread-safe.
 */
final class WebSocketUris {

  private WebSocketUris() {
  }

  static OpenedSource source(String uri, String rest, UriContext context) {
    WebSocketSource.Builder builder = WebSocketSource.builder(parse("--source", uri));
    configure(builder, context);
    WebSocketSource source = build("--source", uri, builder::build);
    return new OpenedSource(source, () -> {
      ConnectionState state = source.state();
      return state == ConnectionState.OPEN || state == ConnectionState.IDLE
          || state == ConnectionState.CLOSED;
    }, source);
  }

  static Sink<Object> sink(String option, String uri, String rest, UriContext context) {
    WebSocketSink.Builder builder = WebSocketSink.builder(parse(option, uri));
    configure(builder, context);
    return build(option, uri, builder::<Object>build);
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

  private static void configure(dev.sluice.websocket.WebSocketSource.Builder builder,
      UriContext context) {
    for (String header : context.headers()) {
      builder.header(name(header), value(header));
    }
    if (context.subscribe() != null) {
      builder.subscribeMessage(context.subscribe());
    }
  }

  /** Headers only: the subscribe message is the source's. */
  private static void configure(WebSocketSink.Builder builder, UriContext context) {
    for (String header : context.headers()) {
      builder.header(name(header), value(header));
    }
  }

  private static String name(String header) {
    int eq = header.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("--ws-header must be NAME=VALUE but was '"
          + (eq < 0 ? header : header.substring(0, eq) + "=***") + "'");
    }
    return header.substring(0, eq).strip();
  }

  private static String value(String header) {
    return header.substring(header.indexOf('=') + 1);
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
