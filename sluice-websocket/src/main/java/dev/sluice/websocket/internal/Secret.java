package dev.sluice.websocket.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A value that must never be logged (a header such as an auth token, a trust store password):
 * given literally, or named by an environment variable or a file and read when the owning
 * builder builds. {@link #toString()} names where it comes from, never the value.
 *
 * <p>Immutable and thread-safe.
 */
public final class Secret {

  private enum Kind { LITERAL, ENV, FILE }

  private final Kind kind;
  private final String ref;

  private Secret(Kind kind, String ref) {
    this.kind = kind;
    this.ref = ref;
  }

  public static Secret literal(String value) {
    return new Secret(Kind.LITERAL, Objects.requireNonNull(value, "value"));
  }

  public static Secret env(String variable) {
    return new Secret(Kind.ENV, Objects.requireNonNull(variable, "variable"));
  }

  public static Secret file(Path file) {
    return new Secret(Kind.FILE, Objects.requireNonNull(file, "file").toString());
  }

  /**
   * Reads the value: a literal as given, a variable from {@code env}, a file as UTF-8 without
   * its trailing line break.
   *
   * @param what names the setting in error messages ("header Authorization")
   * @throws IllegalArgumentException if the variable is unset or the file cannot be read
   */
  public String resolve(String what, UnaryOperator<String> env) {
    switch (kind) {
      case LITERAL:
        return ref;
      case ENV: {
        String value = env.apply(ref);
        if (value == null) {
          throw new IllegalArgumentException(
              what + ": environment variable " + ref + " is not set");
        }
        return value;
      }
      default:
        try {
          return Files.readString(Path.of(ref), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
          throw new IllegalArgumentException(what + ": cannot read " + ref + ": " + e, e);
        }
    }
  }

  @Override
  public String toString() {
    switch (kind) {
      case LITERAL: return "(literal, hidden)";
      case ENV: return "(from environment variable " + ref + ")";
      default: return "(from file " + ref + ")";
    }
  }
}
