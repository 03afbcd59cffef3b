package dev.sluice.cli;

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
 * λ = events / time from the source's subscription to its completion, mean work S = total service / attempts, so
 * utilisation ρ = λ·S / workers and workers needed = ⌈λ·S / 0.8⌉, as {@link Stats} defines them.
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
    Duration ideal = lastArrival.plus(work);
    Duration over = Duration.ofMillis(wall.minus(ideal).toMillis());
    lines.add(String.format(Locale.ROOT,
        "wall time %.3f s, ideal %.3f s (last arrival at %s + %s of work): %s %s",
        seconds(wall), seconds(ideal), DurationParser.format(lastArrival),
        DurationParser.format(work), DurationParser.format(over.abs()),
        over.isNegative() ? "under" : "over"));
    long attempts = stats.completed() + stats.failed();
    double service = attempts == 0 ? 0 : seconds(stats.totalService()) / attempts;
    if (!sourceTime.isZero() && attempts > 0) {
      double arrivals = stats.received() / seconds(sourceTime);
      double offered = arrivals * service;
      double utilisation = offered / workers;
      int needed = (int) Math.max(1, Math.ceil(offered / 0.8 - 1e-9));
      String verdict = utilisation > 1.0 ? ": falling behind"
          : needed > workers ? ": keeping up, with no headroom" : "";
      lines.add(String.format(Locale.ROOT,
          "utilisation %.0f%% of %d workers (%s events/s × %s of work each), "
              + "workers needed %d to keep it at or under 80%%%s",
          utilisation * 100, workers, rate(arrivals), human(service), needed, verdict));
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
