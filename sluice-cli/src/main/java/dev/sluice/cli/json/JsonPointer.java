package dev.sluice.cli.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON Pointer (RFC 6901): {@code ""} is the whole document, {@code /a/0/b} walks member
 * {@code a}, element 0, member {@code b}; {@code ~1} stands for {@code /} and {@code ~0} for
 * {@code ~} inside a name.
 *
 * <p>Immutable and thread-safe.
 */
public final class JsonPointer {

  private final String text;
  private final List<String> tokens;

  private JsonPointer(String text, List<String> tokens) {
    this.text = text;
    this.tokens = tokens;
  }

  /**
   * Reads a pointer.
   *
   * @throws JsonException if it is neither empty nor starts with {@code /}, or has a {@code ~}
   *                       not followed by 0 or 1
   */
  public static JsonPointer parse(String pointer) {
    if (pointer.isEmpty()) {
      return new JsonPointer(pointer, List.of());
    }
    if (pointer.charAt(0) != '/') {
      throw new JsonException("JSON Pointer '" + pointer + "' must be empty or start with '/'");
    }
    List<String> tokens = new ArrayList<>();
    for (String raw : pointer.substring(1).split("/", -1)) {
      tokens.add(unescape(pointer, raw));
    }
    return new JsonPointer(pointer, List.copyOf(tokens));
  }

  private static String unescape(String pointer, String raw) {
    StringBuilder token = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '~') {
        token.append(c);
        continue;
      }
      char next = i + 1 < raw.length() ? raw.charAt(i + 1) : '\0';
      if (next == '0') {
        token.append('~');
      } else if (next == '1') {
        token.append('/');
      } else {
        throw new JsonException("JSON Pointer '" + pointer
            + "' has a '~' not followed by 0 or 1 (write ~0 for '~' and ~1 for '/')");
      }
      i++;
    }
    return token.toString();
  }

  /**
   * The value this pointer names in {@code document}, or empty when it names nothing: a
   * missing member, an index past the end or not a plain decimal, {@code -}, or a step into a
   * string, number, boolean or null.
   */
  public Optional<Object> find(Object document) {
    Object current = document;
    for (String token : tokens) {
      if (current instanceof Map) {
        Map<?, ?> members = (Map<?, ?>) current;
        if (!members.containsKey(token)) {
          return Optional.empty();
        }
        current = members.get(token);
      } else if (current instanceof List) {
        List<?> items = (List<?>) current;
        int index = arrayIndex(token);
        if (index < 0 || index >= items.size()) {
          return Optional.empty();
        }
        current = items.get(index);
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(current);
  }

  /** The index a token names (digits, no leading zero unless "0"), or -1. */
  private static int arrayIndex(String token) {
    if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
      return -1;
    }
    for (int i = 0; i < token.length(); i++) {
      if (token.charAt(i) < '0' || token.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(token);
  }

  @Override
  public String toString() {
    return text;
  }
}
