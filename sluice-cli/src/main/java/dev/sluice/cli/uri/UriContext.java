package dev.sluice.cli.uri;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What opening a source or sink URI may need besides the URI itself: the process's standard
 * streams (for {@code -}) and, read only when a URI asks for it, the broker password.
 *
 * @param stdin    read by the {@code -} source
 * @param stdout   written by the {@code -} sink
 * @param password supplies the password for URIs with a user and no password (never logged)
 * @param headers  {@code NAME=VALUE} headers for WebSocket handshakes (values never logged)
 * @param subscribe the message sent after each WebSocket connect, or null
 */
public record UriContext(InputStream stdin, PrintStream stdout, Supplier<String> password,
    List<String> headers, String subscribe) {
  public UriContext {
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(password, "password");
    headers = List.copyOf(headers);
  }

  /** A context with no headers and no subscribe message. */
  public UriContext(InputStream stdin, PrintStream stdout, Supplier<String> password) {
    this(stdin, stdout, password, List.of(), null);
  }
}
