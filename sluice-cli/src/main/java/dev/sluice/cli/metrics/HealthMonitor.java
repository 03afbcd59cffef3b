package dev.sluice.cli.metrics;

import dev.sluice.Stats;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Decides whether a running pipeline is healthy: it is stalled when messages are in flight and
 * none has been settled (done, failed, dead-lettered or nacked) for longer than
 * {@code stallAfter}. An idle pipeline (nothing in flight) is healthy however long it waits.
 *
 * <p><b>Thread-safety.</b> {@link #observe} is called by the pipeline's timer thread and
 * {@link #check} by the metrics server's thread; both are synchronized.
 */
public final class HealthMonitor {

  /** The verdict: healthy or not, and one line saying why. */
  public record Health(boolean healthy, String reason) {
  }

  private final long stallAfterNanos;
  private final LongSupplier nanoClock;
  private long settled = -1;        // guarded by this
  private long lastProgressNanos;   // guarded by this
  private long inFlight;            // guarded by this

  public HealthMonitor(Duration stallAfter, LongSupplier nanoClock) {
    this.stallAfterNanos = stallAfter.toNanos();
    this.nanoClock = nanoClock;
    this.lastProgressNanos = nanoClock.getAsLong();
  }

  /** Takes a fresh snapshot into account. */
  public synchronized void observe(Stats stats) {
    long now = nanoClock.getAsLong();
    long settledNow = stats.completed() + stats.failed() + stats.deadLettered() + stats.nacked();
    if (settledNow != settled || stats.inFlight() == 0) {
      settled = settledNow;
      lastProgressNanos = now;
    }
    inFlight = stats.inFlight();
  }

  /** The verdict now. */
  public synchronized Health check() {
    long idle = nanoClock.getAsLong() - lastProgressNanos;
    if (inFlight > 0 && idle > stallAfterNanos) {
      return new Health(false, "stalled: " + inFlight + " message(s) in flight and none "
          + "settled for " + Duration.ofNanos(idle).toSeconds() + " s");
    }
    return new Health(true, "ok");
  }
}
