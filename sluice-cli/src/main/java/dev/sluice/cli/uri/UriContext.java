package dev.sluice.cli.uri;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What opening a source or sink URI may need besides the URI itself.
 *
 * @param stdin        read by the {@code -} source
 * @param stdout       written by the {@code -} sink
 * @param passwordFile the broker password's file ({@code --password-file}), or null to use
 *                     {@code $SLUICE_MQTT_PASSWORD}; read only for URIs that name a user
 * @param headers      {@code NAME=VALUE} headers for WebSocket handshakes (values never logged)
 * @param subscribe    the message sent after each WebSocket connect, or null
 * @param maxInFlight  the pipeline's in-flight cap, for sources with their own window (MQTT
 *                     Receive Maximum)
 * @param notices      where connection news goes, one line each; thread-safe
 */
public record UriContext(InputStream stdin, PrintStream stdout, Path passwordFile,
    List<String> headers, String subscribe, int maxInFlight, Consumer<String> notices) {

  /** The variable that holds the broker password when no password file is given. */
  public static final String PASSWORD_VARIABLE = "SLUICE_MQTT_PASSWORD";

  public UriContext {
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(notices, "notices");
    headers = List.copyOf(headers);
  }

  /** A context with no secrets, headers or subscribe message, and notices dropped. */
  public UriContext(InputStream stdin, PrintStream stdout) {
    this(stdin, stdout, null, List.of(), null, 32, line -> { });
  }
}
