package dev.sluice.cli.testing;

import dev.sluice.Processor;
import java.util.Locale;

/** A processor for {@code --processor} tests: upper-cases its line, and fails on "boom". */
public final class Shout implements Processor<String, String> {
  @Override
  public String process(String line) {
    if (line.equals("boom")) {
      throw new IllegalStateException("cannot shout boom");
    }
    return line.toUpperCase(Locale.ROOT) + "!";
  }
}
