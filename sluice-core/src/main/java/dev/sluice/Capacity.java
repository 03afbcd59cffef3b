package dev.sluice;

import java.util.Locale;

/**
 * The capacity verdict: is the pipeline keeping level with its source, and how many workers
 * would it need? One model produces it (the pipeline's statistics, the command's status line,
 * {@code /metrics} and the demo's summary all read the same figures). Immutable.
 *
 * <p><b>How it is measured.</b> The offered load is λ·S in workers: λ is the rate at which
 * messages are offered, S the mean time of one attempt (attempts only: back-off waits and an
 * external worker's start-up are not work). λ is exact when the pipeline had room for every
 * message the source offered (its intake is then the offered rate), or when the source reports
 * its own backlog (a timed generator's due events, a broker's lag or queue depth: intake plus
 * the backlog's growth). When the pipeline ran out of in-flight room and the source cannot say
 * what was waiting, the intake is capped at the completion rate, so λ and "workers needed" are
 * lower bounds ({@link #lowerBound()}): "falling behind: need at least 5".
 *
 * @param verdict       where the pipeline stands; it changes only after a few seconds of
 *                      consistent evidence, so a momentary burst does not flip it
 * @param arrivalRate   offered messages per second (a lower bound when {@code lowerBound})
 * @param serviceTime   mean seconds of one attempt
 * @param offeredLoad   λ·S: how many workers the load keeps busy
 * @param utilisation   the fraction of the workers' time spent on attempts, recently; never
 *                      above 1 (what the workers can physically do)
 * @param workers       the pool's size
 * @param workersNeeded ⌈λ·S / 0.8⌉ (at least 1): the workers that keep utilisation at or under
 *                      80%, so a burst does not build a backlog; consistent with the verdict
 * @param lowerBound    λ and {@code workersNeeded} are lower bounds (the pipeline was saturated
 *                      and the source did not report its backlog)
 */
public record Capacity(Verdict verdict, double arrivalRate, double serviceTime,
    double offeredLoad, double utilisation, int workers, int workersNeeded,
    boolean lowerBound) {

  /** The utilisation that leaves room for bursts; "workers needed" keeps the load under it. */
  public static final double TARGET_UTILISATION = 0.8;

  /**
   * How far above the workers' capacity the measured load must be before it counts as falling
   * behind: measurement noise on a load exactly at capacity (the founding article's run) must
   * not read as falling behind. One arrival more or less in the measuring window adds its
   * share on top ({@link #verdictFor}).
   */
  public static final double TOLERANCE = 0.05;

  /** Where the pipeline stands against its load. */
  public enum Verdict {
    /** Not enough evidence yet (no attempt has finished). */
    WARMING_UP("warming up"),
    /** The load is at most 80% of the workers: room for bursts. */
    KEEPING_UP("keeping up"),
    /** The workers keep up, but with less than 20% to spare: a burst builds a backlog. */
    NO_HEADROOM("keeping up, with no headroom"),
    /** More is offered than the workers can do: the backlog grows. */
    FALLING_BEHIND("falling behind");

    private final String words;

    Verdict(String words) {
      this.words = words;
    }

    /** The verdict as the status line and the summaries say it. */
    public String words() {
      return words;
    }
  }

  /** Nothing measured yet. */
  public static Capacity warmingUp(int workers) {
    return new Capacity(Verdict.WARMING_UP, 0, 0, 0, 0, workers, 1, false);
  }

  /** The workers that keep a load of {@code offeredLoad} at or under 80%: at least 1. */
  public static int workersNeeded(double offeredLoad) {
    return (int) Math.max(1, Math.ceil(offeredLoad / TARGET_UTILISATION - 1e-9));
  }

  /**
   * The verdict for a load of {@code offeredLoad} workers on {@code workers}, without
   * hysteresis. {@code arrivals} is how many arrivals the load was measured from: counting
   * n arrivals in a window is uncertain by one, so the margin above capacity that reads as
   * falling behind is {@link #TOLERANCE} + 1/n.
   */
  public static Verdict verdictFor(double offeredLoad, int workers, boolean saturated,
      long arrivals) {
    double margin = TOLERANCE + (arrivals > 0 ? 1.0 / arrivals : 0);
    if (saturated || offeredLoad > workers * (1 + margin)) {
      return Verdict.FALLING_BEHIND;
    }
    return offeredLoad > workers * TARGET_UTILISATION + 1e-9 ? Verdict.NO_HEADROOM
        : Verdict.KEEPING_UP;
  }

  /** Whether the verdict is {@link Verdict#FALLING_BEHIND}. */
  public boolean fallingBehind() {
    return verdict == Verdict.FALLING_BEHIND;
  }

  /**
   * The verdict in words with the workers it needs: "keeping up", "keeping up, with no
   * headroom: 7 workers keep it at or under 80%", "falling behind: need at least 3 workers,
   * have 2".
   */
  public String describe() {
    String need = (lowerBound ? "at least " : "") + workersNeeded + " worker"
        + (workersNeeded == 1 && !lowerBound ? "" : "s");
    switch (verdict) {
      case FALLING_BEHIND:
        return String.format(Locale.ROOT, "falling behind: need %s, have %d", need, workers);
      case NO_HEADROOM:
        return String.format(Locale.ROOT, "keeping up, with no headroom: %s keep it at or "
            + "under 80%%", need);
      default:
        return verdict.words();
    }
  }
}
