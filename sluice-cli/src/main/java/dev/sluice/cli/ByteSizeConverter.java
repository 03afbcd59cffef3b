package dev.sluice.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a size in bytes for picocli: a whole number, optionally followed by {@code K},
 * {@code KiB}, {@code M}, {@code MiB}, {@code G} or {@code GiB} (all powers of 1024; case does
 * not matter), from 1 byte to 1 GiB. Stateless.
 */
final class ByteSizeConverter implements ITypeConverter<Integer> {

  private static final long MAX = 1L << 30;

  @Override
  public Integer convert(String value) {
    String text = value.strip().toLowerCase(Locale.ROOT);
    int digits = 0;
    while (digits < text.length() && Character.isDigit(text.charAt(digits))) {
      digits++;
    }
    long unit = switch (text.substring(digits)) {
      case "", "b" -> 1;
      case "k", "kib" -> 1L << 10;
      case "m", "mib" -> 1L << 20;
      case "g", "gib" -> 1L << 30;
      default -> -1;
    };
    if (digits == 0 || digits > 10 || unit < 0) {
      throw new TypeConversionException("'" + value + "' is not a size: write bytes, or a "
          + "number with K, M or G (KiB, MiB, GiB), e.g. 65536 or 4MiB");
    }
    long bytes = Long.parseLong(text.substring(0, digits)) * unit;
    if (bytes < 1 || bytes > MAX) {
      throw new TypeConversionException("'" + value + "' must be from 1 byte to 1GiB");
    }
    return (int) bytes;
  }
}
