package dev.sluice.cli.uri;

import dev.sluice.Sources;
import dev.sluice.cli.tls.ClientTls;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What opening a source or sink URI may need besides the URI itself.
 *
 * @param stdin        read by the {@code -} source
 * @param stdout       written by the {@code -} sink
 * @param passwordFile the broker password's file ({@code --password-file}), or null to use
 *                     {@code $SLUICE_MQTT_PASSWORD}; read only for URIs that name a user, and
 *                     the same for every such URI of the run
 * @param tls          what every TLS URI of the run ({@code wss://}, {@code mqtts://}) trusts
 *                     and the client certificate it presents ({@code --trust-store},
 *                     {@code --key-store})
 * @param webSocket    what a {@code ws://} or {@code wss://} URI of this side adds: headers
 *                     (values never logged), subscribe message, dead letters
 * @param notices      where connection news goes, one line each; thread-safe
 * @param maxMessageSize the largest message a source takes, in bytes ({@code --max-message-size}):
 *                     a line of {@code -} or {@code file:}, a {@code ws://} message
 */
public record UriContext(InputStream stdin, PrintStream stdout, Path passwordFile,
    ClientTls tls, WebSocketOptions webSocket, Consumer<String> notices, int maxMessageSize) {

  /** The variable that holds the broker password when no password file is given. */
  public static final String PASSWORD_VARIABLE = "SLUICE_MQTT_PASSWORD";

  public UriContext {
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(notices, "notices");
    Objects.requireNonNull(webSocket, "webSocket");
    Objects.requireNonNull(tls, "tls");
    if (maxMessageSize < 1) {
      throw new IllegalArgumentException("maxMessageSize must be >= 1 but was " + maxMessageSize);
    }
  }

  /** A context whose sources take messages up to {@link Sources#DEFAULT_MAX_LINE_BYTES}. */
  public UriContext(InputStream stdin, PrintStream stdout, Path passwordFile, ClientTls tls,
      WebSocketOptions webSocket, Consumer<String> notices) {
    this(stdin, stdout, passwordFile, tls, webSocket, notices, Sources.DEFAULT_MAX_LINE_BYTES);
  }

  /** This context with another largest message size. */
  public UriContext withMaxMessageSize(int bytes) {
    return new UriContext(stdin, stdout, passwordFile, tls, webSocket, notices, bytes);
  }

  /** This context with another side's WebSocket settings. */
  public UriContext withWebSocket(WebSocketOptions options) {
    return new UriContext(stdin, stdout, passwordFile, tls, options, notices, maxMessageSize);
  }

  /** A context with no secrets, headers or subscribe message, default TLS, notices dropped. */
  public UriContext(InputStream stdin, PrintStream stdout) {
    this(stdin, stdout, null, ClientTls.DEFAULT, WebSocketOptions.NONE, line -> { });
  }
}
