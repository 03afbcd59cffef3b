package dev.sluice.cli;

import dev.sluice.Capacity;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The closing summary of {@code sluice demo}: throughput, the wall time against the ideal,
 * and the load in queueing terms.
 *
 * <p>The load is measured over the whole run rather than taken from the final snapshot's
 * recent-window figures, which by the end of a run describe only its quiet tail: arrivals
 * λ = events / time from the source's subscription to its completion, mean work S = total
 * service / attempts; the load λ·S / workers (called utilisation while at most 100%), the
 * workers needed and the verdict come from {@link Capacity}'s arithmetic, as the live figures do.
 *
 * @param events      events the source was asked for
 * @param interval    time between events
 * @param work        work per event
 * @param workers     the pool's size
 * @param wall        from just before the pipeline started to its end
 * @param sourceTime  from the source's subscription to its completion, or null if it never
 *                    completed (the run was stopped)
 * @param stats       the pipeline's final statistics
 */
record DemoReport(long events, Duration interval, Duration work, int workers, Duration wall,
    Duration sourceTime, Stats stats) {

  /** The summary lines. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%d events in %.1f s = %s events/s",
        stats.completed(), seconds(wall), rate(stats.completed(), seconds(wall))));
    if (events == 0) {
      return lines;
    }
    if (sourceTime == null) {
      lines.add(String.format(Locale.ROOT,
          "stopped before the source finished: %d of %d events arrived, %d processed, "
              + "%d given back unprocessed", stats.received(), events, stats.completed(),
          stats.nacked()));
    } else {
      addTimingAndLoad(lines);
    }
    if (seconds(wall) > 0) {
      lines.add(String.format(Locale.ROOT, "workers busy %.0f%% of the wall time",
          100 * seconds(stats.totalService()) / (workers * seconds(wall))));
    }
    return lines;
  }

  private void addTimingAndLoad(List<String> lines) {
    Duration lastArrival = interval.multipliedBy(events);
    Duration byArrival = lastArrival.plus(work);
    long rounds = (events + workers - 1) / workers;          // each worker's share, rounded up
    Duration byWork = work.multipliedBy(rounds);
    boolean workBound = byWork.compareTo(byArrival) > 0;
    Duration ideal = workBound ? byWork : byArrival;
    String why = workBound
        ? String.format(Locale.ROOT, "%d events × %s of work on %d workers", events,
            DurationParser.format(work), workers)
        : String.format(Locale.ROOT, "last arrival at %s + %s of work",
            DurationParser.format(lastArrival), DurationParser.format(work));
    Duration over = Duration.ofMillis(wall.minus(ideal).toMillis());
    lines.add(String.format(Locale.ROOT, "wall time %.3f s, ideal %.3f s (%s): %s %s",
        seconds(wall), seconds(ideal), why, DurationParser.format(over.abs()),
        over.isNegative() ? "under" : "over"));
    long attempts = stats.completed() + stats.failed();
    double service = attempts == 0 ? 0 : seconds(stats.totalService()) / attempts;
    if (!sourceTime.isZero() && attempts > 0) {
      // the whole run's load through the one capacity model's arithmetic (Capacity)
      double arrivals = stats.received() / seconds(sourceTime);
      double offered = arrivals * service;
      double load = offered / workers;
      int needed = Capacity.workersNeeded(offered);
      Capacity.Verdict verdict = Capacity.verdictFor(offered, workers, false, stats.received());
      lines.add(String.format(Locale.ROOT,
          "%s %.0f%% of %d workers (%s events/s × %s of work each), "
              + "workers needed %d to keep it at or under 80%%: %s",
          load > 1 ? "load" : "utilisation", load * 100, workers, rate(arrivals),
          human(service), needed, verdict.words()));
    }
  }

  /** Events per second, grouped by thousands when large: {@code 2,200,000}, {@code 0.67}. */
  static String rate(long events, double seconds) {
    if (seconds <= 0) {
      return events == 0 ? "0" : "∞";
    }
    return rate(events / seconds);
  }

  static String rate(double perSecond) {
    if (perSecond >= 100) {
      return String.format(Locale.ROOT, "%,.0f", perSecond);
    }
    return String.format(Locale.ROOT, perSecond >= 10 ? "%.1f" : "%.2f", perSecond);
  }

  /** A time in the unit that suits it, to three figures or so: 5.00 s, 12.5 ms, 31 ns. */
  static String human(double seconds) {
    if (seconds >= 1) {
      return String.format(Locale.ROOT, "%.2f s", seconds);
    }
    if (seconds >= 1e-3) {
      return String.format(Locale.ROOT, "%.1f ms", seconds * 1e3);
    }
    if (seconds >= 1e-6) {
      return String.format(Locale.ROOT, "%.1f µs", seconds * 1e6);
    }
    return String.format(Locale.ROOT, "%.0f ns", seconds * 1e9);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
