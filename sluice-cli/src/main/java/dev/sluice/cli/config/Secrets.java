package dev.sluice.cli.config;

import dev.sluice.cli.uri.Redaction;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Which values of a pipeline file are secrets, and how they are shown. A secret may be written
 * in the file only as a reference, {@code @env:VAR} or {@code @file:PATH}, never as its value.
 * Secrets are:
 * <ul>
 *   <li>the value of an option whose name says so ({@code password}, {@code token},
 *       {@code secret}, {@code credential}, {@code passphrase}, {@code api-key},
 *       {@code private-key}), unless it names a file ({@code ...-file}, {@code ...-path});</li>
 *   <li>in a {@code NAME=VALUE} option (headers, {@code exec-env}), the value of a name that
 *       says so: {@code Authorization}, {@code Proxy-Authorization}, {@code Cookie}, or a
 *       name containing {@code token}, {@code secret}, {@code password}, {@code auth},
 *       {@code credential}, {@code session}, or ending in {@code key};</li>
 *   <li>the password or secret query parameters of a URI (as {@link Redaction} hides them).</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class Secrets {

  static final String REDACTED = "***";
  private static final Pattern SECRET_OPTION = Pattern.compile(
      "(?i).*(password|passphrase|token|secret|credential|api-key|private-key).*");
  private static final Pattern FILE_OPTION = Pattern.compile("(?i).*-(file|path)$");
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i)authorization|proxy-authorization|cookie|set-cookie"
          + "|.*(token|secret|passw|auth|credential|session).*|.*key");

  private Secrets() {
  }

  /** True if the option's value is a secret. */
  static boolean isSecretOption(OptionSpec option) {
    String name = option.longestName();
    return SECRET_OPTION.matcher(name).matches() && !FILE_OPTION.matcher(name).matches();
  }

  /** True if the option takes {@code NAME=VALUE}s. */
  static boolean isAssignment(OptionSpec option) {
    return option.paramLabel().equals("NAME=VALUE");
  }

  /**
   * True if the option reads {@code @env:} and {@code @file:} references itself (its help
   * says so by naming {@code @env:}, as the header options' does): such a value is passed on
   * as written, so the secret is read only where it is used.
   */
  static boolean readsReferences(OptionSpec option) {
    return String.join(" ", option.description()).contains("@env:");
  }

  /** True if a {@code NAME=VALUE}'s value is a secret. */
  static boolean isSecretName(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  /** True for {@code @env:VAR} and {@code @file:PATH}. */
  static boolean isReference(String value) {
    return value.startsWith("@env:") || value.startsWith("@file:");
  }

  /** True if {@code value} holds a URI with a password or secret parameter. */
  static boolean carriesSecret(String value) {
    return !Redaction.uri(value).equals(value);
  }

  /** {@code value} of {@code option} as it may be shown: secrets hidden, references kept. */
  static String shown(OptionSpec option, String value) {
    if (isReference(value)) {
      return value;
    }
    if (isSecretOption(option)) {
      return REDACTED;
    }
    if (isAssignment(option)) {
      int eq = value.indexOf('=');
      if (eq > 0 && isSecretName(value.substring(0, eq))
          && !isReference(value.substring(eq + 1))) {
        return value.substring(0, eq + 1) + REDACTED;
      }
    }
    return Redaction.uri(value);
  }
}
