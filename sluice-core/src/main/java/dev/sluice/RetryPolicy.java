package dev.sluice;

import dev.sluice.spi.Backoff;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * When a failed attempt runs again: up to {@code maxAttempts} attempts in all, waiting an
 * exponentially growing {@link Backoff} with jitter between them, for failures that
 * {@code retryOn} accepts. A failure it rejects, or the last attempt's failure, sends the
 * message to the dead-letter sink. The wait is kept by a timer, not by a sleeping worker.
 *
 * <p>Immutable and thread-safe. Build one with {@link #builder()}; {@link #none()} makes one
 * attempt only.
 *
 * @param maxAttempts    attempts in all, at least 1
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff     the wait never grows past this
 * @param multiplier     each wait is the previous one times this (at least 1)
 * @param jitter         fraction in [0, 1] of each wait that is randomised (0.5: 50%..100%)
 * @param retryOn        which failures are worth another attempt
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
    double multiplier, double jitter, Predicate<Throwable> retryOn) {

  private static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0, t -> false);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(retryOn, "retryOn");
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException(
          "initialBackoff must be >= 0 but was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be >= initialBackoff ("
          + initialBackoff + ") but was " + maxBackoff);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be >= 1 but was " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be in [0, 1] but was " + jitter);
    }
  }

  /** One attempt, no retry. */
  public static RetryPolicy none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether a message whose attempt number {@code attempt} failed with {@code cause} runs again. */
  public boolean shouldRetry(int attempt, Throwable cause) {
    return attempt < maxAttempts && retryOn.test(cause);
  }

  /**
   * The wait after failed attempt number {@code attempt} (1-based), given a uniform random
   * number {@code random} in [0, 1).
   */
  public Duration backoff(int attempt, double random) {
    return new Backoff(initialBackoff, maxBackoff, multiplier, jitter).delay(attempt, random);
  }

  /** Builds a {@link RetryPolicy}; every check runs in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private double multiplier = 2.0;
    private double jitter = 0.5;
    private Predicate<Throwable> retryOn = t -> true;

    private Builder() {
    }

    /** Attempts in all, the first included (default 3). */
    public Builder maxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; return this; }

    /** First wait and ceiling (defaults 100 ms and 10 s). */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Growth per attempt (default 2). */
    public Builder multiplier(double multiplier) { this.multiplier = multiplier; return this; }

    /** Randomised fraction of each wait (default 0.5). */
    public Builder jitter(double jitter) { this.jitter = jitter; return this; }

    /** Retry only failures this accepts (default: all). */
    public Builder retryOn(Predicate<Throwable> retryOn) { this.retryOn = retryOn; return this; }

    /** Retry only failures that are instances of one of these classes. */
    @SafeVarargs
    public final Builder retryOn(Class<? extends Throwable>... types) {
      Class<? extends Throwable>[] copy = types.clone();
      this.retryOn = t -> {
        for (Class<? extends Throwable> type : copy) {
          if (type.isInstance(t)) return true;
        }
        return false;
      };
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, retryOn);
    }
  }
}
