package dev.sluice.cli.exec;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a child may take. An attempt is timed from the moment its line is written to a
 * child that has started, i.e. has answered before; a fresh child's first answer may also use
 * what is left of {@code startTimeout}, counted from the child's start, so that start-up (a
 * model loading, an interpreter importing) is not taken for slow work.
 *
 * @param timeout      longest wait for an answer once the child has started; zero: no limit
 *                     (then start-up has none either)
 * @param startTimeout how long a child may take to start, on top of {@code timeout} for its
 *                     first answer
 */
public record ExecLimits(Duration timeout, Duration startTimeout) {

  /** The default start-up allowance: generous, for interpreters that load models. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  /** No limit on answers. */
  public static final ExecLimits NONE = new ExecLimits(Duration.ZERO, DEFAULT_START_TIMEOUT);

  public ExecLimits {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(startTimeout, "startTimeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("--timeout must be >= 0 but was " + timeout);
    }
    if (startTimeout.isNegative()) {
      throw new IllegalArgumentException("--exec-start-timeout must be >= 0 but was "
          + startTimeout);
    }
  }

  /**
   * The deadline for an answer to a line written at {@code writtenNanos} to a child started at
   * {@code childStartedNanos}, {@code started} telling whether it has answered before; or
   * {@link Long#MIN_VALUE} for none.
   */
  long deadline(long writtenNanos, long childStartedNanos, boolean started) {
    if (timeout.isZero()) {
      return Long.MIN_VALUE;
    }
    long from = writtenNanos;
    if (!started) {
      long startUpEnds = childStartedNanos + startTimeout.toNanos();
      from = startUpEnds - writtenNanos > 0 ? startUpEnds : writtenNanos;
    }
    return from + timeout.toNanos();
  }
}
