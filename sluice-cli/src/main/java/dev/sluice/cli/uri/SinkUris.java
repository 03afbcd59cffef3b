package dev.sluice.cli.uri;

import dev.sluice.Sink;
import dev.sluice.Sinks;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@code --sink} or {@code --dead-letter} URI into a sink of text lines. One entry per
 * scheme in {@link #SCHEMES}: adding a scheme is adding an entry.
 *
 * <ul>
 *   <li>{@code -}: one line per result on standard output, flushed line by line;</li>
 *   <li>{@code file:PATH}: one line per result appended to a file (created if missing);</li>
 *   <li>{@code ws://…}, {@code wss://…}: one text message per result;</li>
 *   <li>{@code mqtt://…}, {@code mqtts://…}: one PUBLISH per result (see {@link MqttUris});</li>
 *   <li>{@code sqs://QUEUE?…}, {@code sqs:https://…}: one SQS message per result (see {@link SqsUris}).</li>
 * </ul>
 *
 * <p>Stateless and thread-safe. {@link #open} throws {@link IllegalArgumentException} with
 * one line saying what is wrong.
 */
public final class SinkUris {

  /** Opens one scheme's URIs; {@code rest} is the text after {@code scheme:}. */
  @FunctionalInterface
  interface Opener {
    Sink<Object> open(String option, String uri, String rest, UriContext context);
  }

  private static final Map<String, Opener> SCHEMES = new TreeMap<>(Map.of(
      "file", SinkUris::file,
      "ws", WebSocketUris::sink,
      "wss", WebSocketUris::sink,
      "mqtt", MqttUris::sink,
      "mqtts", MqttUris::sink,
      "kafka", KafkaUris::sink,
      "sqs", SqsUris::sink));

  private SinkUris() {
  }

  /** The sink {@code uri} names; {@code option} ({@code --sink}) is for messages. */
  public static Sink<Object> open(String option, String uri, UriContext context) {
    if (uri.equals("-")) {
      return Sinks.lines(context.stdout());
    }
    int colon = uri.indexOf(':');
    String scheme = colon > 0 ? uri.substring(0, colon) : "";
    Opener opener = SCHEMES.get(scheme);
    if (opener == null) {
      throw SourceUris.unknownScheme(option, uri, scheme,
          "-, " + String.join(":..., ", SCHEMES.keySet()) + ":...");
    }
    return opener.open(option, uri, uri.substring(colon + 1), context);
  }

  private static Sink<Object> file(String option, String uri, String rest, UriContext context) {
    Path path = FilePaths.of(uri, rest, option);
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new IllegalArgumentException(option + " '" + uri + "': no directory " + parent);
    }
    try {
      return Sinks.lines(path);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(option + " '" + uri + "': " + e.getMessage());
    }
  }
}
