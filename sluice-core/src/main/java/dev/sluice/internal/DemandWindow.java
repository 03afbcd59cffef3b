package dev.sluice.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The in-flight window: how many messages the pipeline may hold (received and not yet settled,
 * plus asked of the source and not yet delivered), and the demand that keeps it full.
 *
 * <p><b>Fixed or adaptive.</b> A window the user chose ({@code maxInFlight}) is fixed. The
 * default window starts at its floor (four per worker, at least 32) and widens, up to its
 * ceiling (the config's {@code maxInFlight}: 1024 unless the floor is higher, set by
 * {@code PipelineBuilder}), while attempts are short: to the floor plus the messages the
 * workers finish in {@link #HORIZON_NANOS} at the recent mean attempt time. Why: a window of
 * 32 hands work to the workers in batches of 8, a wake-up each on two cores, which held a no-op
 * pipeline to half the rate a window of 1024 allows; yet a wide window with slow work holds
 * messages unacked for long (32 messages of 5 s work each on 2 workers already wait 80 s).
 * With this rule, work of a millisecond or more keeps (nearly) the floor, and microsecond work
 * gets the ceiling. It narrows when attempts get slower: new demand is then withheld until the
 * messages held fit the narrower window.
 *
 * <p><b>Smoothing.</b> The mean attempt time is measured every {@value #MEASURE_EVERY}
 * attempts and smoothed in log space (a quarter of each new measurement): on two shared cores
 * one descheduled attempt can make sixteen no-op attempts' mean a thousand times longer, which
 * must not close the window, while work that really turned slow (microseconds to seconds)
 * narrows it to its floor within five measurements; by then slow work settles rarely, so
 * little new demand is granted meanwhile.
 *
 * <p><b>Demand.</b> {@code granted - settled <= size} always: each settlement may earn new
 * demand, requested once it reaches a quarter of the window (batches, so the source is not
 * asked for one message at a time).
 *
 * <p><b>Threads.</b> {@link #settled} is called by whichever thread settles a message, one
 * call per settlement; the window is re-measured by at most one of them at a time, the others
 * skip it. {@link #size} may be read from any thread.
 */
final class DemandWindow {

  /** Queued work per worker that a default window allows: 1 ms. */
  static final long HORIZON_NANOS = 1_000_000;
  /** Attempts between two measurements of the mean attempt time. */
  private static final long MEASURE_EVERY = 16;

  private final SourceDemand demand;
  private final StatsRecorder stats;
  private final IntSupplier workers;
  private final int floor;
  private final int ceiling;
  private final AtomicLong granted;
  private final AtomicBoolean measuring = new AtomicBoolean();
  private volatile int size;
  private long lastAttempts;      // guarded by measuring
  private long lastServiceNanos;  // guarded by measuring
  private double logMean = Double.NaN;   // guarded by measuring: smoothed ln(attempt nanos)

  /**
   * A window from {@code floor} to {@code ceiling} (equal: fixed); {@code demand} was created
   * with {@code floor} as its initial request.
   */
  DemandWindow(SourceDemand demand, StatsRecorder stats, IntSupplier workers, int floor,
      int ceiling) {
    if (floor < 1 || ceiling < floor) {
      throw new IllegalArgumentException("window " + floor + ".." + ceiling);
    }
    this.demand = demand;
    this.stats = stats;
    this.workers = workers;
    this.floor = floor;
    this.ceiling = ceiling;
    this.size = floor;
    this.granted = new AtomicLong(floor);
  }

  /** The window now: the most messages held, and asked for, at once. */
  int size() {
    return size;
  }

  /**
   * A message settled; {@code settled} counts every settlement so far, this one included. Asks
   * the source for more when the window has a batch of room, and only if {@code running}.
   */
  void settled(long settled, boolean running) {
    if (ceiling > floor && settled % MEASURE_EVERY == 0) {
      measure();
    }
    if (!running) {
      return;
    }
    for (;;) {
      int w = size;
      long g = granted.get();
      long room = settled + w - g;
      if (room < Math.max(1, w / 4)) {
        return;
      }
      if (granted.compareAndSet(g, g + room)) {
        demand.request(room);
        return;
      }
    }
  }

  private void measure() {
    if (!measuring.compareAndSet(false, true)) {
      return;
    }
    try {
      long attempts = stats.attemptsTotal();
      long nanos = stats.serviceNanosTotal();
      long n = attempts - lastAttempts;
      if (n < MEASURE_EVERY) {
        return;
      }
      double recent = Math.log(Math.max(1.0, (double) (nanos - lastServiceNanos) / n));
      lastAttempts = attempts;
      lastServiceNanos = nanos;
      logMean = Double.isNaN(logMean) ? recent : logMean + (recent - logMean) / 4;
      double mean = Math.exp(logMean);
      long wanted = floor + (long) (Math.max(1, workers.getAsInt()) * HORIZON_NANOS / mean);
      size = (int) Math.min(ceiling, Math.max(floor, wanted));
    } finally {
      measuring.set(false);
    }
  }
}
