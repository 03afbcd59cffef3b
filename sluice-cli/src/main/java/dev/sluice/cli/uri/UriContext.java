package dev.sluice.cli.uri;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What opening a source or sink URI may need besides the URI itself: the process's standard
 * streams (for {@code -}) and, read only when a URI asks for it, the broker password.
 *
 * @param stdin    read by the {@code -} source
 * @param stdout   written by the {@code -} sink
 * @param password supplies the password for URIs with a user and no password (never logged)
 */
public record UriContext(InputStream stdin, PrintStream stdout, Supplier<String> password) {
  public UriContext {
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(password, "password");
  }
}
