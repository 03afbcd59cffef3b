package dev.sluice;

/**
 * A source of nanosecond time, injected so tests can drive statistics deterministically.
 * Implementations must be thread-safe and monotonic.
 */
@FunctionalInterface
public interface Ticker {

  long nanoTime();

  /** {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
