package dev.sluice.internal;

import dev.sluice.Capacity;
import dev.sluice.Capacity.Verdict;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The one capacity model: turns periodic samples of a pipeline into a {@link Capacity} verdict.
 *
 * <p><b>What it measures.</b> Over a sliding window (default 10 s): the intake rate, the mean
 * attempt time S (attempts only), the busy workers, and whether the pipeline was saturated
 * (every worker busy, and no free in-flight permit or no demand left unmet at the source). The offered rate λ is the intake plus the
 * growth of the backlog the source reports, when it reports one; otherwise the intake, which
 * is exact while the pipeline had room and a lower bound once it was saturated for half the
 * window (then the source could not hand over what it had). The verdict comes from
 * {@link Capacity#verdictFor} and changes only after the new verdict has held for
 * {@code hold} (default 3 s) of samples: hysteresis, so a momentary burst does not flip it.
 * "Workers needed" is made consistent with the verdict it is shown with.
 *
 * <p><b>Threads.</b> {@link #add} is called by one thread at a time (the pipeline's timer);
 * {@link #current()} from any thread. Both synchronise on this object; neither blocks for long.
 */
final class CapacityModel {

  /** One observation of the pipeline, taken by the stats timer. */
  record Sample(long nanos, long received, long attempts, long serviceNanos, int busy,
      int workers, boolean saturated, long sourceBacklog) {}

  private final long windowNanos;
  private final long holdNanos;
  private final ArrayDeque<Sample> window = new ArrayDeque<>();
  private Capacity current;
  private Verdict pending;
  private long pendingSince;

  CapacityModel(Duration window, Duration hold) {
    this.windowNanos = window.toNanos();
    this.holdNanos = hold.toNanos();
    this.current = Capacity.warmingUp(0);
  }

  CapacityModel() {
    this(Duration.ofSeconds(10), Duration.ofSeconds(3));
  }

  /** Adds a sample (taken at least a few ms after the previous one) and re-evaluates. */
  synchronized void add(Sample sample) {
    window.addLast(sample);
    // keep one sample at or beyond the window's start, so the window spans a full window
    while (window.size() > 2) {
      Sample second = secondOldest();
      if (sample.nanos() - second.nanos() >= windowNanos) {
        window.removeFirst();
      } else {
        break;
      }
    }
    evaluate(sample);
  }

  /** The latest verdict. */
  synchronized Capacity current() {
    return current;
  }

  private Sample secondOldest() {
    var it = window.iterator();
    it.next();
    return it.next();
  }

  private void evaluate(Sample last) {
    Sample first = window.peekFirst();
    double seconds = (last.nanos() - first.nanos()) / 1e9;
    int workers = last.workers();
    if (last.attempts() == 0 || seconds <= 0) {
      if (current.verdict() == Verdict.WARMING_UP) {
        current = Capacity.warmingUp(workers);  // nothing finished yet: still warming up
      }
      return;
    }
    long windowAttempts = last.attempts() - first.attempts();
    double service = windowAttempts > 0
        ? (last.serviceNanos() - first.serviceNanos()) / 1e9 / windowAttempts
        : last.serviceNanos() / 1e9 / last.attempts();
    double intake = (last.received() - first.received()) / seconds;
    double busySum = 0;
    double workerSum = 0;
    int saturatedSamples = 0;
    for (Sample s : window) {
      busySum += s.busy();
      workerSum += s.workers();
      if (s.saturated()) {
        saturatedSamples++;
      }
    }
    double utilisation = Math.min(1.0, busySum / workerSum);

    double arrivals;
    boolean lowerBound;
    if (first.sourceBacklog() >= 0 && last.sourceBacklog() >= 0) {
      arrivals = Math.max(0, intake + (last.sourceBacklog() - first.sourceBacklog()) / seconds);
      lowerBound = false;
    } else {
      arrivals = intake;
      lowerBound = saturatedSamples * 2 >= window.size();
    }
    double offered = arrivals * service;
    Verdict candidate = Capacity.verdictFor(offered, workers, lowerBound,
        last.received() - first.received());

    Verdict verdict = current.verdict();
    if (verdict == Verdict.WARMING_UP || candidate == verdict) {
      verdict = candidate;
      pending = null;
    } else if (candidate != pending) {
      pending = candidate;
      pendingSince = last.nanos();
    } else if (last.nanos() - pendingSince >= holdNanos) {
      verdict = candidate;
      pending = null;
    }

    int needed = Capacity.workersNeeded(offered);
    if (lowerBound) {
      needed = Math.max(needed, workers + 1);
    }
    boolean bound = lowerBound;
    if (verdict == Verdict.KEEPING_UP) {
      needed = Math.min(needed, workers);        // held through a short burst: do not contradict
      bound = false;
    } else {
      needed = Math.max(needed, workers + 1);
    }
    current = new Capacity(verdict, arrivals, service, offered, utilisation, workers, needed,
        bound && verdict == Verdict.FALLING_BEHIND);
  }
}
