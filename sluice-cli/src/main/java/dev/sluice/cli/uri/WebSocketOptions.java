package dev.sluice.cli.uri;

import dev.sluice.DeadLetter;
import dev.sluice.Sink;
import java.util.List;
import java.util.Objects;

/**
 * What one side of a run ({@code --source}, {@code --sink} or {@code --dead-letter}) adds to a
 * {@code ws://} or {@code wss://} connection: handshake headers, a subscribe message, the trust
 * store for {@code wss://}, and (for a source) where its own dead letters go.
 *
 * <p><b>Headers</b> are {@code NAME=VALUE}, {@code NAME=@env:VAR} (the value of environment
 * variable VAR) or {@code NAME=@file:PATH} (the file's content, surrounding whitespace
 * removed), so that a token need not sit on the command line. Values are never printed: a
 * malformed header is reported with its value as {@code ***}.
 *
 * @param option        the side's option ({@code --source}, {@code --sink}), for messages
 * @param headers       {@code NAME=VALUE}, {@code NAME=@env:VAR} or {@code NAME=@file:PATH}
 * @param subscribe     the text sent after each connect, or null
 * @param deadLetters   where a source's oversize and malformed messages go, or null to log
 *                      them only; written from the WebSocket client's threads, so it must be
 *                      safe to call from any thread
 */
public record WebSocketOptions(String option, List<String> headers, String subscribe,
    Sink<? super DeadLetter<String>> deadLetters) {

  /** Nothing added: no headers, no subscribe message. */
  public static final WebSocketOptions NONE =
      new WebSocketOptions("--source", List.of(), null, null);

  public WebSocketOptions {
    Objects.requireNonNull(option, "option");
    headers = List.copyOf(headers);
  }

  /** How a header's value is given. */
  enum ValueKind { LITERAL, ENV, FILE }

  /** One header, split: a literal value, a variable name or a file path in {@code ref}. */
  record Header(String name, ValueKind kind, String ref) {
  }

  /**
   * Splits {@code NAME=VALUE}, {@code NAME=@env:VAR} or {@code NAME=@file:PATH}.
   *
   * @param option the flag it came from ({@code --source-header}), for the message
   * @throws IllegalArgumentException one line, the value hidden, if it is none of those
   */
  public static void check(String option, String header) {
    parse(option, header);
  }

  static Header parse(String option, String header) {
    int eq = header.indexOf('=');
    String name = eq < 0 ? header : header.substring(0, eq).strip();
    if (eq <= 0 || name.isEmpty()) {
      // the text may be a pasted token: never echo it, only a name before '='
      throw new IllegalArgumentException(option + " must be NAME=VALUE, NAME=@env:VAR or "
          + "NAME=@file:PATH but " + (eq < 0 ? "has no '='" : "has no name before '='"));
    }
    String value = header.substring(eq + 1);
    if (value.startsWith("@env:")) {
      String variable = value.substring("@env:".length());
      if (variable.isEmpty()) {
        throw new IllegalArgumentException(option + " " + name + "=@env: names no variable");
      }
      return new Header(name, ValueKind.ENV, variable);
    }
    if (value.startsWith("@file:")) {
      String file = value.substring("@file:".length());
      if (file.isEmpty()) {
        throw new IllegalArgumentException(option + " " + name + "=@file: names no file");
      }
      return new Header(name, ValueKind.FILE, file);
    }
    return new Header(name, ValueKind.LITERAL, value);
  }
}
