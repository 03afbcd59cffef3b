package dev.sluice.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the broker password comes from: {@code --password-file FILE} (its first line), else
 * the environment variable {@code SLUICE_MQTT_PASSWORD}, else none. Read only when a URI
 * needs it; the value is never printed, and no message here contains it.
 *
 * <p>Immutable; {@link #password} may be called from any thread.
 */
final class Secrets {

  static final String PASSWORD_VARIABLE = "SLUICE_MQTT_PASSWORD";

  private final String passwordFile;
  private final Map<String, String> environment;

  Secrets(String passwordFile, Map<String, String> environment) {
    this.passwordFile = passwordFile;
    this.environment = Map.copyOf(environment);
  }

  /**
   * The password, or null when none was given.
   *
   * @throws IllegalArgumentException if the password file cannot be read
   */
  String password() {
    if (passwordFile != null) {
      try {
        String text = Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).stripTrailing();
      } catch (IOException e) {
        throw new IllegalArgumentException("--password-file: cannot read " + passwordFile
            + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    return environment.get(PASSWORD_VARIABLE);
  }
}
