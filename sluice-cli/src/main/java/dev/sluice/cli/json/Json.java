package dev.sluice.cli.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer (RFC 8259), enough for the runner's exec protocol, key
 * expressions and dead-letter lines, without a third-party library.
 *
 * <p>Values are plain Java objects: {@link Map} (insertion-ordered, unmodifiable) for objects,
 * {@link List} (unmodifiable) for arrays, {@link String}, {@link Boolean}, {@link Long} for
 * integers that fit, {@link BigInteger} for larger ones, {@link BigDecimal} for numbers with a
 * fraction or exponent, and {@link #NULL} for {@code null} (so that a JSON null can be told
 * apart from a missing member).
 *
 * <p>Stateless and thread-safe.
 */
public final class Json {

  /** JSON's {@code null}. */
  public static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private static final int MAX_DEPTH = 512;

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /**
   * Reads one JSON value that fills {@code text} (whitespace around it allowed).
   *
   * @throws JsonException naming what was expected and the offset where it went wrong
   */
  public static Object parse(String text) {
    Json reader = new Json(text);
    reader.skipWhitespace();
    Object value = reader.value(0);
    reader.skipWhitespace();
    if (reader.pos != text.length()) {
      throw reader.error("end of input");
    }
    return value;
  }

  /** Writes {@code value} (any of the types {@link #parse} returns, or null) as compact JSON. */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    JsonWriter.write(value, out);
    return out.toString();
  }

  /** {@code s} as a JSON string literal, quotes included. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2);
    JsonWriter.quote(s, out);
    return out.toString();
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("at most " + MAX_DEPTH + " levels of nesting");
    }
    if (pos >= text.length()) {
      throw error("a value");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string();
      case 't': return literal("true", Boolean.TRUE);
      case 'f': return literal("false", Boolean.FALSE);
      case 'n': return literal("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("a value");
    }
  }

  private Map<String, Object> object(int depth) {
    pos++;
    Map<String, Object> members = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return Collections.unmodifiableMap(members);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("a member name in double quotes");
      }
      String name = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      members.put(name, value(depth + 1));
      skipWhitespace();
      if (peek() == ',') {
        pos++;
      } else if (peek() == '}') {
        pos++;
        return Collections.unmodifiableMap(members);
      } else {
        throw error("',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    pos++;
    List<Object> items = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return Collections.unmodifiableList(items);
    }
    while (true) {
      skipWhitespace();
      items.add(value(depth + 1));
      skipWhitespace();
      if (peek() == ',') {
        pos++;
      } else if (peek() == ']') {
        pos++;
        return Collections.unmodifiableList(items);
      } else {
        throw error("',' or ']'");
      }
    }
  }

  private String string() {
    pos++;
    StringBuilder s = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("a closing '\"'");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return s.toString();
      }
      if (c < 0x20) {
        throw errorAt(pos - 1, "no raw control character in a string (escape it)");
      }
      if (c != '\\') {
        s.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("an escape");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"': s.append('"'); break;
        case '\\': s.append('\\'); break;
        case '/': s.append('/'); break;
        case 'b': s.append('\b'); break;
        case 'f': s.append('\f'); break;
        case 'n': s.append('\n'); break;
        case 'r': s.append('\r'); break;
        case 't': s.append('\t'); break;
        case 'u': s.append(hex4()); break;
        default: throw errorAt(pos - 1, "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
      }
    }
  }

  private char hex4() {
    if (pos + 4 > text.length()) {
      throw error("four hex digits");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(text.charAt(pos + i), 16);
      if (d < 0) {
        throw errorAt(pos + i, "a hex digit");
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private Object number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("a digit");
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) {
        throw error("a digit after '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("a digit in the exponent");
      }
      digits();
    }
    String literal = text.substring(start, pos);
    if (!integral) {
      return new BigDecimal(literal);
    }
    BigInteger big = new BigInteger(literal);
    return big.bitLength() < 64 ? (Object) big.longValue() : big;
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("a value");
    }
    pos += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("'" + c + "'");
    }
    pos++;
  }

  /** The next character, or NUL at the end (never valid where a token is expected). */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private JsonException error(String expected) {
    return errorAt(pos, expected);
  }

  private JsonException errorAt(int at, String expected) {
    String found = at >= text.length() ? "end of input"
        : "'" + text.charAt(at) + "'";
    return new JsonException("invalid JSON at offset " + at + ": expected " + expected
        + " but found " + found);
  }
}
