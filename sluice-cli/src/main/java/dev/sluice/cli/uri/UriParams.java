package dev.sluice.cli.uri;

import dev.sluice.cli.DurationParser;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code ?name=value&...} parameters of a source or sink URI, read by name with the checks
 * a command line needs: every name must be known to the scheme, every value well-formed, and
 * each complaint is one line that names the URI (redacted), the parameter and the bad value.
 *
 * <p>Not thread-safe; used while the command line is read.
 */
public final class UriParams {

  private final String uri;
  private final Map<String, String> values;

  private UriParams(String uri, Map<String, String> values) {
    this.uri = uri;
    this.values = values;
  }

  /** The parameters in {@code query} (the text after {@code ?}, or null) of {@code uri}. */
  public static UriParams parse(String uri, String query) {
    Map<String, String> values = new LinkedHashMap<>();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (values.put(name, value) != null) {
          throw new IllegalArgumentException("'" + Redaction.uri(uri) + "' gives '" + name
              + "' twice");
        }
      }
    }
    return new UriParams(uri, values);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Fails naming the first parameter not in {@code known}, and the known ones. */
  public UriParams allowOnly(Set<String> known) {
    for (String name : values.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("'" + Redaction.uri(uri) + "' has an unknown "
            + "parameter '" + name + "'" + (known.isEmpty() ? ": it takes none"
            : ": it takes " + String.join(", ", known.stream().sorted().toList())));
      }
    }
    return this;
  }

  public String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public long longValue(String name, long fallback, long min) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    long n;
    try {
      n = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw bad(name, v, "a whole number");
    }
    if (n < min) {
      throw bad(name, v, "a number >= " + min);
    }
    return n;
  }

  public Duration duration(String name, Duration fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return DurationParser.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + Redaction.uri(uri) + "': " + name + ": "
          + e.getMessage());
    }
  }

  /** A complaint about parameter {@code name}'s {@code value}, saying what it should be. */
  public IllegalArgumentException bad(String name, String value, String expected) {
    return new IllegalArgumentException("'" + Redaction.uri(uri) + "': " + name + " must be "
        + expected + " but was '" + value + "'");
  }
}
