package dev.sluice.cli;

import dev.sluice.Workers;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --workers} for picocli: a number of workers ({@code 4}), {@code auto} (an
 * adaptive pool from 1 to {@value Workers#ADAPTIVE_PER_CORE} per core) or
 * {@code auto=MIN..MAX}. Stateless.
 */
final class WorkersConverter implements ITypeConverter<Workers> {

  /** The most workers one pipeline may have. */
  static final int MAX = 4096;

  private static final Pattern RANGE = Pattern.compile("auto=(\\d{1,9})\\.\\.(\\d{1,9})");
  private static final String FORMS = "write a number of workers (e.g. 4), auto, or "
      + "auto=MIN..MAX (e.g. auto=2..32)";

  @Override
  public Workers convert(String value) {
    String text = value.strip().toLowerCase(Locale.ROOT);
    if (text.equals("auto")) {
      return Workers.adaptive();
    }
    Matcher range = RANGE.matcher(text);
    if (range.matches()) {
      int min = Integer.parseInt(range.group(1));
      int max = Integer.parseInt(range.group(2));
      if (min < 1 || max < min || max > MAX) {
        throw new TypeConversionException("'" + value + "' needs 1 <= MIN <= MAX <= " + MAX
            + ", e.g. auto=2..32");
      }
      return Workers.adaptive(min, max);
    }
    if (!text.matches("\\d{1,9}")) {
      throw new TypeConversionException("'" + value + "' is not an int or auto: " + FORMS);
    }
    int n = Integer.parseInt(text);
    if (n < 1 || n > MAX) {
      throw new TypeConversionException("must be from 1 to " + MAX + " but was " + n);
    }
    return Workers.fixed(n);
  }
}
