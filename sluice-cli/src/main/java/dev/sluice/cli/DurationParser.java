package dev.sluice.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations people type on a command line: a number and a unit ({@code 250us},
 * {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 1m}, {@code 2h}; also {@code ns} and
 * {@code µs}), a bare {@code 0}, or ISO-8601 ({@code PT5S}). Negative durations are refused.
 *
 * <p>Stateless and thread-safe.
 */
public final class DurationParser {

  private static final Pattern NUMBER_AND_UNIT =
      Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ns|us|µs|ms|s|m|h)");
  private static final String FORMS = "use a number and a unit (250us, 500ms, 5s, 1m, 1h), "
      + "0, or ISO-8601 (PT5S)";

  private DurationParser() {
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration: " + FORMS);
    }
    String trimmed = text.trim();
    if (trimmed.startsWith("-")) {
      throw new IllegalArgumentException("'" + text + "' is negative: a duration must be >= 0");
    }
    if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
      return parseIso(text, trimmed);
    }
    Matcher m = NUMBER_AND_UNIT.matcher(trimmed.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      if (trimmed.matches("\\d+(\\.\\d+)?") && new BigDecimal(trimmed).signum() == 0) {
        return Duration.ZERO;
      }
      if (trimmed.matches("\\d+(\\.\\d+)?")) {
        throw new IllegalArgumentException(
            "'" + text + "' has no unit: write " + trimmed + "s or " + trimmed + "ms");
      }
      throw new IllegalArgumentException("'" + text + "' is not a duration: " + FORMS);
    }
    BigDecimal nanos = new BigDecimal(m.group(1)).multiply(nanosPer(m.group(2)));
    try {
      return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too long: at most 292 years");
    }
  }

  private static Duration parseIso(String text, String trimmed) {
    Duration d;
    try {
      d = Duration.parse(trimmed);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: " + FORMS);
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("'" + text + "' is negative: a duration must be >= 0");
    }
    return d;
  }

  private static BigDecimal nanosPer(String unit) {
    switch (unit) {
      case "ns": return BigDecimal.ONE;
      case "us":
      case "µs": return BigDecimal.valueOf(1_000L);
      case "ms": return BigDecimal.valueOf(1_000_000L);
      case "s": return BigDecimal.valueOf(1_000_000_000L);
      case "m": return BigDecimal.valueOf(60_000_000_000L);
      case "h": return BigDecimal.valueOf(3_600_000_000_000L);
      default: throw new AssertionError(unit);
    }
  }

  /**
   * Writes {@code d} the way {@link #parse} reads it back, in the largest unit that keeps
   * it short: {@code 0}, {@code 250us}, {@code 500ms}, {@code 1.5s}, {@code 5s}, {@code 2m}, {@code 1h}.
   */
  public static String format(Duration d) {
    long nanos;
    try {
      nanos = d.toNanos();
    } catch (ArithmeticException e) {
      return d.toString();
    }
    if (nanos == 0) {
      return "0";
    }
    if (nanos % 3_600_000_000_000L == 0) {
      return nanos / 3_600_000_000_000L + "h";
    }
    if (nanos % 60_000_000_000L == 0) {
      return nanos / 60_000_000_000L + "m";
    }
    if (nanos >= 1_000_000_000L) {
      return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString() + "s";
    }
    if (nanos >= 1_000_000L) {
      return BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + "ms";
    }
    if (nanos >= 1_000L) {
      return BigDecimal.valueOf(nanos, 3).stripTrailingZeros().toPlainString() + "us";
    }
    return nanos + "ns";
  }
}
