package dev.sluice.cli.uri;

import dev.sluice.Sources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a {@code --source} URI into a source of text messages. One entry per scheme in
 * {@link #SCHEMES}: adding a scheme is adding an entry.
 *
 * <ul>
 *   <li>{@code -}: the lines of standard input;</li>
 *   <li>{@code file:PATH}: the lines of a file (topic: the path);</li>
 *   <li>(for both: a line longer than {@link UriContext#maxMessageSize()} or not valid UTF-8
 *       is dead-lettered with attempts 0, see {@link Sources#lines(java.io.InputStream, int)});
 *   </li>
 *   <li>{@code generate:?count=N&interval=D}: the numbers 1..N, the i-th due i × D after start
 *       (the demo's source; count defaults to unlimited, interval to 0);</li>
 *   <li>{@code ws://…}, {@code wss://…}: each WebSocket message (see {@link WebSocketUris});</li>
 *   <li>{@code mqtt://…}, {@code mqtts://…}: an MQTT subscription (see {@link MqttUris});</li>
 *   <li>{@code sqs://QUEUE?…}, {@code sqs:https://…}: an SQS queue (see {@link SqsUris}).</li>
 * </ul>
 *
 * <p>Stateless and thread-safe. {@link #open} checks what it can at once (the scheme, the
 * parameters, that a file is readable) and throws {@link IllegalArgumentException} with one
 * line saying what is wrong.
 */
public final class SourceUris {

  /** Opens one scheme's URIs; {@code rest} is the text after {@code scheme:}. */
  @FunctionalInterface
  interface Opener {
    OpenedSource open(String uri, String rest, UriContext context);
  }

  private static final Map<String, Opener> SCHEMES = new TreeMap<>(Map.of(
      "file", SourceUris::file,
      "generate", SourceUris::generate,
      "ws", WebSocketUris::source,
      "wss", WebSocketUris::source,
      "mqtt", MqttUris::source,
      "mqtts", MqttUris::source,
      "kafka", KafkaUris::source,
      "sqs", SqsUris::source));

  private SourceUris() {
  }

  /** The source {@code uri} names. */
  public static OpenedSource open(String uri, UriContext context) {
    if (uri.equals("-")) {
      return OpenedSource.local(Sources.lines(context.stdin(), context.maxMessageSize()));
    }
    int colon = uri.indexOf(':');
    String scheme = colon > 0 ? uri.substring(0, colon) : "";
    Opener opener = SCHEMES.get(scheme);
    if (opener == null) {
      throw unknownScheme("--source", uri, scheme, "-, " + String.join(":..., ",
          SCHEMES.keySet()) + ":...");
    }
    return opener.open(uri, uri.substring(colon + 1), context);
  }

  static IllegalArgumentException unknownScheme(String option, String uri, String scheme,
      String known) {
    String what = scheme.isEmpty() ? "has no scheme" : "has an unknown scheme '" + scheme + "'";
    return new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "' " + what
        + ": use " + known);
  }

  private static OpenedSource file(String uri, String rest, UriContext context) {
    Path path = FilePaths.of(uri, rest, "--source");
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new IllegalArgumentException("--source '" + uri + "': cannot read " + path
          + (Files.exists(path) ? " (not a readable file)" : " (no such file)"));
    }
    return OpenedSource.local(Sources.lines(path, context.maxMessageSize()));
  }

  private static OpenedSource generate(String uri, String rest, UriContext context) {
    int q = rest.indexOf('?');
    if (!(q < 0 ? rest : rest.substring(0, q)).isEmpty()) {
      throw new IllegalArgumentException("--source '" + uri
          + "': write generate:?count=N&interval=D");
    }
    UriParams params = UriParams.parse(uri, q < 0 ? null : rest.substring(q + 1))
        .allowOnly(Set.of("count", "interval"));
    long count = params.longValue("count", Long.MAX_VALUE, 0);
    Duration interval = params.duration("interval", Duration.ZERO);
    return OpenedSource.local(Sources.generate(count, interval, Long::toString));
  }
}
