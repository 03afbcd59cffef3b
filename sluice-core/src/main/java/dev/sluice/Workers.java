package dev.sluice;

import java.util.Locale;

/**
 * How many workers a pipeline runs: a fixed number, or an adaptive pool between two bounds.
 * Immutable.
 *
 * <p><b>Adaptive.</b> The pool starts at {@code min} and grows while the capacity model says
 * the pipeline is falling behind <em>and</em> the last step up raised throughput: work that
 * saturates the CPU cores, or a remote service at its own limit, stops it growing (the step
 * that did not pay is taken back). It shrinks, one step at a time, when the workers idle. It
 * moves at most once per step interval, never more than doubling, and waits longer before
 * shrinking than before growing, so it does not thrash. Each change is logged once and
 * counted ({@link Stats#poolResizes()}). Per-worker processors (an external command's child)
 * are started with their worker and closed when it retires.
 *
 * @param min the fewest workers (the starting size), at least 1
 * @param max the most workers, at least {@code min}; equal to {@code min} for a fixed pool
 */
public record Workers(int min, int max) {

  /** The default upper bound of {@link #adaptive()}: this many workers per core. */
  public static final int ADAPTIVE_PER_CORE = 4;

  public Workers {
    if (min < 1) {
      throw new IllegalArgumentException("workers must be >= 1 but was " + min);
    }
    if (max < min) {
      throw new IllegalArgumentException("the most workers (" + max
          + ") must be >= the fewest (" + min + ")");
    }
  }

  /** Exactly {@code n} workers. */
  public static Workers fixed(int n) {
    return new Workers(n, n);
  }

  /** An adaptive pool between {@code min} and {@code max} workers. */
  public static Workers adaptive(int min, int max) {
    return new Workers(min, max);
  }

  /** An adaptive pool from 1 to {@value #ADAPTIVE_PER_CORE} workers per available core. */
  public static Workers adaptive() {
    return new Workers(1, ADAPTIVE_PER_CORE * Runtime.getRuntime().availableProcessors());
  }

  /** Whether the pool may change size. */
  public boolean isAdaptive() {
    return max > min;
  }

  /** "4", or "auto=1..8" for an adaptive pool. */
  @Override
  public String toString() {
    return isAdaptive() ? String.format(Locale.ROOT, "auto=%d..%d", min, max)
        : Integer.toString(min);
  }
}
