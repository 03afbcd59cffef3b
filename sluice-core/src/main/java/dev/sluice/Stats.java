package dev.sluice;

import java.time.Duration;
import java.util.Locale;

/**
 * An immutable snapshot of a pipeline's statistics, taken by {@link Pipeline#stats()} or
 * handed to a stats listener. Counters are totals since start; rates, service time and the
 * capacity figures are measured over the last few seconds.
 *
 * <p>The capacity estimate is plain queueing arithmetic: with arrivals at λ per second and a
 * mean service time of S seconds, the workers are busy ρ = λ·S / workers of the time, and
 * keeping ρ at or under 0.8 (so a burst does not build a backlog) needs ⌈λ·S / 0.8⌉ workers.
 *
 * @param uptime          time since the pipeline started
 * @param received        messages taken from the source
 * @param completed       messages processed with their result written and acknowledged
 * @param failed          attempts that threw or timed out (a message retried twice counts twice)
 * @param retried         attempts scheduled again after a failure
 * @param deadLettered    messages given up on and written to the dead-letter sink
 * @param nacked          messages given up unprocessed (pipeline closed, sink failed)
 * @param timedOut        attempts interrupted at the timeout
 * @param inFlight        messages received and not yet settled (acked or nacked)
 * @param queued          messages received and not running: waiting for a worker, a retry or
 *                        their turn to be written
 * @param busyWorkers     workers running a message now
 * @param workers         the pool's size
 * @param arrivalRate     messages received per second, recently
 * @param completionRate  messages settled per second, recently
 * @param meanService     mean processing time of one attempt, recently
 * @param totalService    processing time of all attempts since start, summed over workers
 *                       (divide by {@code workers × uptime} for utilisation over the run)
 * @param serviceP50      median processing time of one attempt since start
 * @param serviceP99      99th percentile processing time of one attempt since start
 * @param endToEndP50     median time from receipt to settlement since start
 * @param endToEndP99     99th percentile time from receipt to settlement since start
 * @param utilisation     ρ = λ·S / workers
 * @param workersNeeded   ⌈λ·S / 0.8⌉ (at least 1)
 * @param fallingBehind   the backlog grew over the recent window, or ρ ≥ 1
 * @param skipped         messages of other instances' partitions, acknowledged unprocessed
 *                        (see {@link PipelineBuilder#partition}); not counted in
 *                        {@code received} or the rates, so the capacity figures are this
 *                        instance's own
 */
public record Stats(
    Duration uptime,
    long received, long completed, long failed, long retried, long deadLettered, long nacked,
    long timedOut,
    long inFlight, long queued, int busyWorkers, int workers,
    double arrivalRate, double completionRate,
    Duration meanService, Duration totalService, Duration serviceP50, Duration serviceP99,
    Duration endToEndP50, Duration endToEndP99,
    double utilisation, int workersNeeded, boolean fallingBehind, long skipped) {

  /** A snapshot of a pipeline that skips nothing (no partition). */
  public Stats(Duration uptime,
      long received, long completed, long failed, long retried, long deadLettered, long nacked,
      long timedOut,
      long inFlight, long queued, int busyWorkers, int workers,
      double arrivalRate, double completionRate,
      Duration meanService, Duration totalService, Duration serviceP50, Duration serviceP99,
      Duration endToEndP50, Duration endToEndP99,
      double utilisation, int workersNeeded, boolean fallingBehind) {
    this(uptime, received, completed, failed, retried, deadLettered, nacked, timedOut,
        inFlight, queued, busyWorkers, workers, arrivalRate, completionRate, meanService,
        totalService, serviceP50, serviceP99, endToEndP50, endToEndP99, utilisation,
        workersNeeded, fallingBehind, 0);
  }

  /** This snapshot with {@code skipped} messages of other partitions. */
  public Stats withSkipped(long skipped) {
    return new Stats(uptime, received, completed, failed, retried, deadLettered, nacked,
        timedOut, inFlight, queued, busyWorkers, workers, arrivalRate, completionRate,
        meanService, totalService, serviceP50, serviceP99, endToEndP50, endToEndP99,
        utilisation, workersNeeded, fallingBehind, skipped);
  }

  /** One line for a status display or a log ({@code skipped N} only when some were). */
  public String summaryLine() {
    return String.format(Locale.ROOT,
        "received %d, done %d, failed %d, dead %d, %sin flight %d (queued %d), "
            + "%.1f/s in, %.1f/s out, busy %d/%d, utilisation %.0f%%, workers needed %d%s",
        received, completed, failed, deadLettered,
        skipped > 0 ? "skipped " + skipped + ", " : "", inFlight, queued, arrivalRate,
        completionRate, busyWorkers, workers, utilisation * 100, workersNeeded,
        fallingBehind ? " — FALLING BEHIND: need " + workersNeeded + " workers, have " + workers
            : "");
  }
}
