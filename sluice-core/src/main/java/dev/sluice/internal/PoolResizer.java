package dev.sluice.internal;

import dev.sluice.Capacity;
import dev.sluice.Capacity.Verdict;
import dev.sluice.Workers;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes an adaptive {@link WorkerPool} from the capacity model ({@link Workers#adaptive}).
 *
 * <p><b>Growing.</b> While the verdict is "falling behind" and the load needs more workers
 * than the pool has, it steps up to the workers needed, at most four times its size per step
 * (doubling when the need is only a lower bound). Each step is then checked: once the new
 * workers have run a few attempts (at least {@link #STEP_EVERY}, and two mean attempts), the
 * pool's throughput, size ÷ mean attempt time, must have risen by at least a quarter of what
 * the step promised. Work that saturates the cores shows it plainly: its attempts slow down as
 * workers are added, so the throughput does not rise. A step that did not pay is taken back
 * to the workers its throughput was worth (no fewer than before it), and that size is the
 * ceiling for {@link #CEILING_FOR}.
 *
 * <p><b>Shrinking.</b> When the load has needed fewer workers than the pool has for
 * {@link #SHRINK_AFTER} without a break (and as long since the last change), it retires half
 * of the surplus, at least one worker, never below the minimum.
 *
 * <p>Every change is logged once and counted. Attempts whose processor said they were not
 * work (an external worker's start-up) are not in the attempt times it compares.
 *
 * <p><b>Threads.</b> {@link #tick} runs on the pipeline's timer only; {@link #resizes} may be
 * read from any thread.
 */
final class PoolResizer {

  /** What it resizes: the {@link WorkerPool}, or a simulated one in a test. */
  interface Pool {
    /** Workers taking messages now. */
    int size();

    /** Starts up to {@code count} workers; returns how many it started. */
    int grow(int count);

    /** Retires up to {@code count} workers after their attempt; returns how many. */
    int shrink(int count);
  }

  private static final Logger LOG = LoggerFactory.getLogger(PoolResizer.class);

  /** The least time between two changes. */
  static final long STEP_EVERY = TimeUnit.SECONDS.toNanos(1);
  /** How long the load must need fewer workers before the pool shrinks. */
  static final long SHRINK_AFTER = TimeUnit.SECONDS.toNanos(5);
  /** How long the size before a step that did not pay stays the ceiling. */
  static final long CEILING_FOR = TimeUnit.SECONDS.toNanos(60);
  /** The longest wait for a step's evidence. */
  private static final long CHECK_AT_MOST = TimeUnit.SECONDS.toNanos(30);

  private final Pool pool;
  private final Workers bounds;
  private final StatsRecorder stats;
  private final String name;
  private final AtomicLong resizes = new AtomicLong();

  private long lastChange;
  private long surplusSince = -1;
  // the step up being checked: from how many workers, their throughput, and the totals then
  private int steppedFrom;
  private double throughputBefore;
  private long attemptsAtStep;
  private long serviceAtStep;
  private long checkAfter;
  private int ceiling;
  private long ceilingUntil;

  PoolResizer(Pool pool, Workers bounds, StatsRecorder stats, String name) {
    this.pool = pool;
    this.bounds = bounds;
    this.stats = stats;
    this.name = name;
    this.ceiling = bounds.max();
    this.lastChange = stats.now() - STEP_EVERY;   // the first step may come at once
  }

  /** Times the pool changed size. */
  long resizes() {
    return resizes.get();
  }

  /** Looks at the latest capacity verdict and resizes if it is time. Timer thread only. */
  void tick() {
    long now = stats.now();
    int size = pool.size();
    Capacity capacity = stats.capacity();
    if (steppedFrom > 0) {
      check(now, size);
      return;
    }
    if (now - ceilingUntil > 0) {
      ceiling = bounds.max();
    }
    if (capacity.verdict() == Verdict.WARMING_UP || now - lastChange < STEP_EVERY) {
      return;
    }
    int needed = Capacity.workersNeeded(capacity.offeredLoad());
    if (capacity.verdict() == Verdict.FALLING_BEHIND && (capacity.lowerBound() || needed > size)
        && size < ceiling) {
      surplusSince = -1;
      int target = capacity.lowerBound() ? 2 * size : Math.min(needed, 4 * size);
      target = Math.min(Math.max(target, size + 1), ceiling);
      int added = pool.grow(target - size);
      if (added > 0) {
        steppedFrom = size;
        throughputBefore = size / capacity.serviceTime();
        attemptsAtStep = stats.attemptsTotal();
        serviceAtStep = stats.serviceNanosTotal();
        long twoAttempts = (long) (2 * capacity.serviceTime() * 1e9);
        checkAfter = now + Math.min(CHECK_AT_MOST, Math.max(STEP_EVERY, twoAttempts));
        changed(now, size, size + added, capacity.describe());
      }
      return;
    }
    boolean surplus = capacity.verdict() != Verdict.FALLING_BEHIND && needed < size
        && size > bounds.min();
    if (!surplus) {
      surplusSince = -1;
      return;
    }
    if (surplusSince < 0) {
      surplusSince = now;
    }
    if (now - surplusSince >= SHRINK_AFTER && now - lastChange >= SHRINK_AFTER) {
      int retire = Math.max(1, (size - Math.max(needed, bounds.min()) + 1) / 2);
      int retired = pool.shrink(Math.min(retire, size - bounds.min()));
      if (retired > 0) {
        surplusSince = -1;
        changed(now, size, size - retired, String.format(Locale.ROOT,
            "the load needs %d", needed));
      }
    }
  }

  /** Whether the last step up raised throughput; takes it back if it did not. */
  private void check(long now, int size) {
    long attempts = stats.attemptsTotal() - attemptsAtStep;
    if (now - checkAfter < 0 || (attempts < size && now - checkAfter < CHECK_AT_MOST)) {
      return;
    }
    int from = steppedFrom;
    steppedFrom = 0;
    if (attempts == 0) {
      return;                     // nothing to judge by: the load went away
    }
    double service = (stats.serviceNanosTotal() - serviceAtStep) / 1e9 / attempts;
    double throughput = size / service;
    double promised = (double) size / from - 1;
    double gained = throughput / throughputBefore - 1;
    if (gained >= promised / 4) {
      return;
    }
    // keep as many workers as the throughput shows were worth it (the cores, say)
    int worth = (int) Math.round(from * throughput / throughputBefore);
    int keep = Math.max(from, Math.min(size - 1, worth));
    int retired = pool.shrink(size - keep);
    ceiling = keep;
    ceilingUntil = now + CEILING_FOR;
    changed(now, size, size - retired, String.format(Locale.ROOT,
        "the step up from %d did not raise throughput as it should (%.1f/s before, %.1f/s "
            + "after); at most %d for the next %d s", from, throughputBefore, throughput, keep,
        TimeUnit.NANOSECONDS.toSeconds(CEILING_FOR)));
  }

  private void changed(long now, int from, int to, String why) {
    lastChange = now;
    resizes.incrementAndGet();
    LOG.info("{}: workers {} -> {} ({})", name, from, to, why);
  }
}
