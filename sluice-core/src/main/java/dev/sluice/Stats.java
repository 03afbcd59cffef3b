package dev.sluice;

import java.time.Duration;
import java.util.Locale;

/**
 * An immutable snapshot of a pipeline's statistics, taken by {@link Pipeline#stats()} or
 * handed to a stats listener. Counters are totals since start; rates, service time and the
 * capacity figures are measured over the last few seconds.
 *
 * <p>The capacity figures ({@code utilisation}, {@code workersNeeded}, {@code fallingBehind})
 * come from {@link #capacity()}, the one capacity model: with messages offered at λ per second
 * and a mean attempt time of S seconds the load keeps λ·S workers busy, and keeping it at or
 * under 80% (so a burst does not build a backlog) needs ⌈λ·S / 0.8⌉ workers. {@link Capacity}
 * says how λ is measured and when the figures are lower bounds.
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
 * @param utilisation     the fraction of the workers' time spent on attempts, recently (at most
 *                        1; {@code capacity().offeredLoad() / workers} is the load, which may
 *                        exceed 1)
 * @param workersNeeded   ⌈λ·S / 0.8⌉ (at least 1), consistent with the verdict
 * @param fallingBehind   the capacity verdict is {@link Capacity.Verdict#FALLING_BEHIND}
 * @param capacity        the capacity model's verdict and figures
 * @param skipped         messages of other instances' partitions, acknowledged unprocessed
 *                        (see {@link PipelineBuilder#partition}); not counted in
 *                        {@code received} or the rates, so the capacity figures are this
 *                        instance's own
 * @param poolResizes     times an adaptive pool ({@link Workers#adaptive}) changed size
 */
public record Stats(
    Duration uptime,
    long received, long completed, long failed, long retried, long deadLettered, long nacked,
    long timedOut,
    long inFlight, long queued, int busyWorkers, int workers,
    double arrivalRate, double completionRate,
    Duration meanService, Duration totalService, Duration serviceP50, Duration serviceP99,
    Duration endToEndP50, Duration endToEndP99,
    double utilisation, int workersNeeded, boolean fallingBehind, Capacity capacity,
    long skipped, long poolResizes) {

  /**
   * A snapshot from the plain figures, its capacity verdict derived from them (falling behind
   * or keeping up): for tests and exporters that have no capacity model at hand.
   */
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
        workersNeeded, fallingBehind,
        new Capacity(fallingBehind ? Capacity.Verdict.FALLING_BEHIND
                : Capacity.Verdict.KEEPING_UP, arrivalRate, meanService.toNanos() / 1e9,
            arrivalRate * meanService.toNanos() / 1e9, Math.min(1, utilisation), workers,
            workersNeeded, false), 0, 0);
  }

  /** This snapshot with {@code skipped} messages of other partitions. */
  public Stats withSkipped(long skipped) {
    return new Stats(uptime, received, completed, failed, retried, deadLettered, nacked,
        timedOut, inFlight, queued, busyWorkers, workers, arrivalRate, completionRate,
        meanService, totalService, serviceP50, serviceP99, endToEndP50, endToEndP99,
        utilisation, workersNeeded, fallingBehind, capacity, skipped, poolResizes);
  }

  /**
   * One line for a status display or a log ({@code skipped N} only when some were). Once the
   * pipeline is idle (nothing in flight and nothing arrived lately, as at the end of a run),
   * the rates are over the whole run rather than the empty recent window.
   */
  public String summaryLine() {
    boolean quiet = inFlight == 0 && arrivalRate == 0 && completionRate == 0 && received > 0;
    double seconds = uptime.toNanos() / 1e9;
    double in = quiet && seconds > 0 ? received / seconds : arrivalRate;
    double out = quiet && seconds > 0 ? (completed + deadLettered + nacked) / seconds
        : completionRate;
    double busy = quiet && seconds > 0 ? totalService.toNanos() / 1e9 / (workers * seconds)
        : utilisation;
    String verdict = capacity.fallingBehind()
        ? " — FALLING BEHIND: need " + (capacity.lowerBound() ? "at least " : "")
            + workersNeeded + " workers, have " + workers
        : capacity.verdict() == Capacity.Verdict.NO_HEADROOM ? " — no headroom" : "";
    return String.format(Locale.ROOT,
        "received %d, done %d, failed %d, dead %d, %sin flight %d (queued %d), "
            + "%.1f/s in, %.1f/s out%s, busy %d/%d, utilisation %.0f%%, workers needed %d%s",
        received, completed, failed, deadLettered,
        skipped > 0 ? "skipped " + skipped + ", " : "", inFlight, queued, in, out,
        quiet ? " over the run" : "", busyWorkers, workers, Math.min(1, busy) * 100,
        workersNeeded, verdict);
  }
}
