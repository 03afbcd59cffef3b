package dev.sluice.cli;

import java.io.PrintStream;
import java.util.Objects;

/**
 * Prints whole lines to one stream from any number of threads: each line is written and
 * flushed under one lock, so lines never interleave and appear in the order the calls took
 * the lock.
 */
final class Lines {
  private final PrintStream out;

  Lines(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  void print(String line) {
    synchronized (this) {
      out.println(line);
      out.flush();
    }
  }
}
