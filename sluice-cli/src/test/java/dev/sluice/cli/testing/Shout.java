package dev.sluice.cli.testing;

import dev.sluice.Processor;
import java.util.Locale;

/**
 * A processor for {@code --processor} tests: upper-cases its line, fails on "boom", and
 * counts how often it was closed.
 */
public final class Shout implements Processor<String, String>, AutoCloseable {

  /** How many instances were closed so far. */
  public static final java.util.concurrent.atomic.AtomicInteger CLOSED =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public void close() {
    CLOSED.incrementAndGet();
  }

  @Override
  public String process(String line) {
    if (line.equals("boom")) {
      throw new IllegalStateException("cannot shout boom");
    }
    return line.toUpperCase(Locale.ROOT) + "!";
  }
}
