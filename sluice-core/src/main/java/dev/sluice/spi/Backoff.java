package dev.sluice.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: how long to wait before retry number {@code n}, for
 * reconnects and redeliveries. The n-th wait (from 1) is
 * {@code min(max, initial × multiplier^(n-1))}, of which a fraction {@code jitter} is
 * randomised downwards: with the default jitter of 0.5 each wait is 50–100 % of its base, so
 * many clients that lost the same server do not all come back in the same millisecond.
 *
 * <p>Immutable and thread-safe. {@link #exponential(Duration, Duration)} gives the usual
 * doubling with 50 % jitter.
 *
 * @param initial    the first wait's base; at least zero
 * @param max        no wait is longer; at least {@code initial}
 * @param multiplier each base is the previous one times this; at least 1
 * @param jitter     the randomised fraction of each wait, in [0, 1]
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {

  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative()) {
      throw new IllegalArgumentException("initial backoff must be >= 0 but was " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max backoff must be >= initial backoff (" + initial
          + ") but was " + max);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be >= 1 but was " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be in [0, 1] but was " + jitter);
    }
  }

  /** Doubling from {@code initial} up to {@code max}, each wait 50–100 % of its base. */
  public static Backoff exponential(Duration initial, Duration max) {
    return new Backoff(initial, max, 2.0, 0.5);
  }

  /**
   * The wait before retry number {@code retry} (1 for the first), given a uniform random
   * number {@code random} in [0, 1): deterministic, for tests.
   */
  public Duration delay(int retry, double random) {
    double base = initial.toNanos() * Math.pow(multiplier, Math.max(0, retry - 1));
    double capped = Math.min(base, max.toNanos());
    return Duration.ofNanos((long) (capped * (1.0 - jitter * random)));
  }

  /** The wait before retry number {@code retry} (1 for the first), with fresh jitter. */
  public Duration delay(int retry) {
    return delay(retry, ThreadLocalRandom.current().nextDouble());
  }
}
