package dev.sluice.cli.metrics;

import dev.sluice.Stats;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Decides whether a running pipeline is healthy: it is stalled when messages are in flight and
 * none has been settled (done, failed, dead-lettered or nacked) for longer than
 * {@code stallAfter}, or when its source has been disconnected for longer than that. An idle
 * pipeline (nothing in flight, source connected) is healthy however long it waits. Workers that
 * have waited long for an answer ({@code waits}, e.g. an {@code --exec} child that never
 * answers) are named in the reason, healthy or not: {@code "ok; sluice-worker-2 waiting 37 s on
 * message #14"}.
 *
 * <p><b>Thread-safety.</b> {@link #observe} is called by the pipeline's timer thread and
 * {@link #check} by the metrics server's thread; both are synchronized. {@code waits} is called
 * from {@link #check} and must be thread-safe.
 */
public final class HealthMonitor {

  /** The verdict: healthy or not, and one line saying why. */
  public record Health(boolean healthy, String reason) {
  }

  private final long stallAfterNanos;
  private final LongSupplier nanoClock;
  private final BooleanSupplier sourceConnected;
  private final Supplier<List<String>> waits;
  private long disconnectedSinceNanos = -1;   // guarded by this; -1 while connected
  private long settled = -1;        // guarded by this
  private long lastProgressNanos;   // guarded by this
  private long inFlight;            // guarded by this

  public HealthMonitor(Duration stallAfter, LongSupplier nanoClock) {
    this(stallAfter, nanoClock, () -> true);
  }

  /** A monitor that also fails when {@code sourceConnected} stays false past the limit. */
  public HealthMonitor(Duration stallAfter, LongSupplier nanoClock,
      BooleanSupplier sourceConnected) {
    this(stallAfter, nanoClock, sourceConnected, List::of);
  }

  /** A monitor whose reasons also name the workers {@code waits} lists, one line each. */
  public HealthMonitor(Duration stallAfter, LongSupplier nanoClock,
      BooleanSupplier sourceConnected, Supplier<List<String>> waits) {
    this.stallAfterNanos = stallAfter.toNanos();
    this.nanoClock = nanoClock;
    this.sourceConnected = sourceConnected;
    this.waits = waits;
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
    if (sourceConnected.getAsBoolean()) {
      disconnectedSinceNanos = -1;
    } else if (disconnectedSinceNanos == -1) {
      disconnectedSinceNanos = now;
    }
  }

  /** The verdict now. */
  public synchronized Health check() {
    Health verdict = verdict();
    List<String> waiting = waits.get();
    return waiting.isEmpty() ? verdict
        : new Health(verdict.healthy(), verdict.reason() + "; " + String.join("; ", waiting));
  }

  private Health verdict() {
    long now = nanoClock.getAsLong();
    if (disconnectedSinceNanos != -1 && now - disconnectedSinceNanos > stallAfterNanos) {
      return new Health(false, "source disconnected for "
          + Duration.ofNanos(now - disconnectedSinceNanos).toSeconds() + " s");
    }
    long idle = now - lastProgressNanos;
    if (inFlight > 0 && idle > stallAfterNanos) {
      return new Health(false, "stalled: " + inFlight + " message(s) in flight and none "
          + "settled for " + Duration.ofNanos(idle).toSeconds() + " s");
    }
    return new Health(true, "ok");
  }
}
