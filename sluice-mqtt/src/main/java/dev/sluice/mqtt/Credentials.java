package dev.sluice.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A username and password for the broker, read from an environment variable or a file, never
 * taken from a command-line argument or a URI, and never logged: {@link #toString()} shows the
 * username only.
 *
 * <p>Immutable and thread-safe. The password is read once, when the credentials are created.
 */
public final class Credentials {

  private final String username;
  private final byte[] password;

  private Credentials(String username, byte[] password) {
    this.username = username;
    this.password = password;
  }

  /**
   * {@code username} with the password in the environment variable {@code passwordVariable}.
   *
   * @throws IllegalArgumentException if the variable is unset or empty
   */
  public static Credentials fromEnv(String username, String passwordVariable) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(passwordVariable, "passwordVariable");
    String value = System.getenv(passwordVariable);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(
          "password environment variable " + passwordVariable + " is unset or empty");
    }
    return new Credentials(username, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code username} with the password in {@code passwordFile} (its first line; a trailing line
   * break is not part of it).
   *
   * @throws UncheckedIOException     if the file cannot be read
   * @throws IllegalArgumentException if the file is empty
   */
  public static Credentials fromFile(String username, Path passwordFile) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(passwordFile, "passwordFile");
    String text;
    try {
      text = Files.readString(passwordFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read password file " + passwordFile, e);
    }
    int end = text.indexOf('\n');
    String line = (end < 0 ? text : text.substring(0, end)).replace("\r", "");
    if (line.isEmpty()) {
      throw new IllegalArgumentException("password file " + passwordFile + " is empty");
    }
    return new Credentials(username, line.getBytes(StandardCharsets.UTF_8));
  }

  /** The username. */
  public String username() {
    return username;
  }

  /** A copy of the password's UTF-8 bytes. */
  public byte[] password() {
    return password.clone();
  }

  /** The username and a mask: the password never appears. */
  @Override
  public String toString() {
    return "Credentials[" + username + ":***]";
  }
}
