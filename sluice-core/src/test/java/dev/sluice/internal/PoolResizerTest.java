package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Workers;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The adaptive pool's decisions on simulated pipelines with a fake clock: the real
 * {@link StatsRecorder}, capacity model and {@link PoolResizer}, a simulated source, queue and
 * workers. Loads whose answer is known: the issue's 10/s × 0.35 s, CPU-bound work on two
 * cores, and a load that steps up and down.
 */
class PoolResizerTest {

  private static final long MS = 1_000_000L;

  /** A simulated pipeline whose workers the resizer grows and shrinks. */
  static final class Simulation implements PoolResizer.Pool, StatsRecorder.Gauges {
    final int maxInFlight = 32;
    final double cores;                 // the work's CPU share: a busy worker beyond it slows all
    final double serviceSeconds;        // one message's work on a free core
    final DoubleUnaryOperator rate;     // arrivals per second at time t (seconds)
    final long events;                  // arrivals in all (Long.MAX_VALUE: unbounded)
    final boolean reportsBacklog;
    final double[] remaining;           // work left per slot, in seconds of a free core
    final long[] started;
    final boolean[] active;
    final boolean[] retiring;
    final StatsRecorder stats;
    final PoolResizer resizer;
    final List<Integer> sizes = new ArrayList<>();   // the pool's size every 250 ms
    long now;
    long offered;
    long pending;                       // offered, not yet taken by the pipeline
    long queued;
    long received;
    long settled;
    double credit;
    long finishedAt = -1;

    Simulation(Workers bounds, double cores, double serviceSeconds, DoubleUnaryOperator rate,
        long events, boolean reportsBacklog) {
      this.cores = cores;
      this.serviceSeconds = serviceSeconds;
      this.rate = rate;
      this.events = events;
      this.reportsBacklog = reportsBacklog;
      this.remaining = new double[bounds.max()];
      this.started = new long[bounds.max()];
      this.active = new boolean[bounds.max()];
      this.retiring = new boolean[bounds.max()];
      this.stats = new StatsRecorder(() -> now, this, bounds.max());
      this.resizer = new PoolResizer(this, bounds, stats, "sim");
      grow(bounds.min());
    }

    Simulation run(double seconds) {
      long step = Math.min(10 * MS, (long) (serviceSeconds * 1e8));   // a tenth of a task
      long end = now + (long) (seconds * 1e9);
      while (now < end) {
        now += step;
        double t = now / 1e9;
        credit += rate.applyAsDouble(t) * step / 1e9;
        while (credit >= 1 && offered < events) {
          credit -= 1;
          offered++;
          pending++;
        }
        int busy = busyWorkers();
        double speed = busy <= cores ? 1 : cores / busy;
        for (int w = 0; w < remaining.length; w++) {
          if (remaining[w] > 0) {
            remaining[w] -= speed * step / 1e9;
            if (remaining[w] <= 1e-12) {
              remaining[w] = 0;
              stats.onAttempt(now - started[w], true);
              settled++;
              if (retiring[w]) {
                retiring[w] = false;
                active[w] = false;
              }
            }
          }
        }
        while (pending > 0 && received - settled < maxInFlight) {
          pending--;
          queued++;
          received++;
        }
        for (int w = 0; w < remaining.length && queued > 0; w++) {
          if (active[w] && !retiring[w] && remaining[w] == 0) {
            queued--;
            remaining[w] = serviceSeconds;
            started[w] = now;
          }
        }
        if (now % (250 * MS) == 0) {
          stats.sample();
          sizes.add(size());
        }
        if (now % (500 * MS) == 250 * MS) {
          resizer.tick();
        }
        if (finishedAt < 0 && offered == events && settled == events) {
          finishedAt = now;
        }
      }
      return this;
    }

    // ---- the simulated pool ----

    @Override
    public int size() {
      int size = 0;
      for (int w = 0; w < active.length; w++) {
        if (active[w] && !retiring[w]) {
          size++;
        }
      }
      return size;
    }

    @Override
    public int grow(int count) {
      int started = 0;
      for (int w = 0; w < active.length && started < count; w++) {
        if (!active[w]) {
          active[w] = true;
          started++;
        }
      }
      return started;
    }

    @Override
    public int shrink(int count) {
      int asked = 0;
      for (int w = active.length - 1; w >= 0 && asked < count; w--) {
        if (active[w] && !retiring[w]) {
          if (remaining[w] > 0) {
            retiring[w] = true;
          } else {
            active[w] = false;
          }
          asked++;
        }
      }
      return asked;
    }

    // ---- what the stats recorder reads ----

    @Override
    public long received() {
      return received;
    }

    @Override
    public long settled() {
      return settled;
    }

    @Override
    public int busyWorkers() {
      int busy = 0;
      for (double r : remaining) {
        if (r > 0) {
          busy++;
        }
      }
      return busy;
    }

    @Override
    public int workers() {
      return size();
    }

    @Override
    public long maxInFlight() {
      return maxInFlight;
    }

    @Override
    public long sourceBacklog() {
      return reportsBacklog ? pending : -1;
    }

    @Override
    public long poolResizes() {
      return resizer == null ? 0 : resizer.resizes();
    }

    int largest() {
      return sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** The mean size over the samples from {@code fromSeconds} to {@code toSeconds}. */
    double meanSize(double fromSeconds, double toSeconds) {
      return sizes.subList((int) (fromSeconds * 4), (int) (toSeconds * 4)).stream()
          .mapToInt(Integer::intValue).average().orElse(0);
    }

    int sizeAt(double seconds) {
      return sizes.get((int) (seconds * 4) - 1);
    }
  }

  @Test
  void theIssuesLoadFinishesWithinFifteenSecondsWhereTwoFixedWorkersTakeTwentyOne() {
    // 120 events at 10/s, 0.35 s each (waiting, not CPU): 3.5 workers busy, 5 keep it ≤ 80%
    Simulation fixed = new Simulation(Workers.fixed(2), Double.MAX_VALUE, 0.35, t -> 10, 120,
        true).run(30);
    Simulation auto = new Simulation(new Workers(1, 16), Double.MAX_VALUE, 0.35, t -> 10, 120,
        true).run(30);

    System.out.printf("10/s x 0.35 s, 120 events: fixed 2 done at %.1f s; auto done at %.1f s,"
        + " sizes %s%n", fixed.finishedAt / 1e9, auto.finishedAt / 1e9, auto.sizes);
    assertThat(fixed.finishedAt / 1e9).isGreaterThan(20);
    assertThat(auto.finishedAt).isPositive();
    assertThat(auto.finishedAt / 1e9).isLessThan(15);
    assertThat(auto.largest()).isBetween(4, 8);
    assertThat(auto.meanSize(6, 12)).isBetween(4.0, 7.0);
    assertThat(auto.resizer.resizes()).isPositive();
    assertThat(auto.stats.snapshot().poolResizes()).isEqualTo(auto.resizer.resizes());
  }

  @Test
  void cpuBoundWorkStopsGrowingAtTheCores() {
    // 1 ms of CPU per message on 2 cores, a source that always has more and says nothing of it
    Simulation auto = new Simulation(new Workers(1, 16), 2, 0.001, t -> 100_000,
        Long.MAX_VALUE, false).run(120);

    System.out.printf("1 ms CPU on 2 cores: %d resizes, largest %d, mean %.2f%n",
        auto.resizer.resizes(), auto.largest(), auto.meanSize(10, 120));
    assertThat(auto.largest()).isLessThanOrEqualTo(4);
    assertThat(auto.meanSize(10, 120)).isBetween(1.9, 2.5);
    // one step back per probe: after each minute's ceiling, one more try at most
    assertThat(auto.resizer.resizes()).isLessThanOrEqualTo(8);
  }

  @Test
  void aLoadThatStepsUpAndDownIsFollowedWithoutThrashing() {
    // 0.2 s each: 2/s needs 1 worker, 20/s needs 5 (4 busy)
    DoubleUnaryOperator steps = t -> t < 20 ? 2 : t < 50 ? 20 : 2;
    Simulation auto = new Simulation(new Workers(1, 16), Double.MAX_VALUE, 0.2, steps,
        Long.MAX_VALUE, true).run(110);

    System.out.printf("step load: %d resizes, sizes %s%n", auto.resizer.resizes(), auto.sizes);
    assertThat(auto.meanSize(5, 20)).isLessThanOrEqualTo(2);
    assertThat(auto.sizeAt(30)).isBetween(5, 8);
    assertThat(auto.meanSize(30, 50)).isBetween(4.5, 8.0);
    assertThat(auto.sizeAt(110)).isLessThanOrEqualTo(2);
    assertThat(auto.largest()).isLessThanOrEqualTo(8);
    assertThat(auto.resizer.resizes()).isLessThanOrEqualTo(12);
    assertThat(auto.pending + auto.received - auto.settled).isLessThan(32);   // caught up
  }

  @Test
  void thePoolStaysWithinItsBounds() {
    Simulation busy = new Simulation(new Workers(2, 3), Double.MAX_VALUE, 1, t -> 50,
        Long.MAX_VALUE, true).run(30);
    Simulation idle = new Simulation(new Workers(2, 6), Double.MAX_VALUE, 1, t -> 0.1,
        Long.MAX_VALUE, true).run(60);

    assertThat(busy.sizes).allSatisfy(size -> assertThat(size).isBetween(2, 3));
    assertThat(busy.sizeAt(30)).isEqualTo(3);
    assertThat(idle.sizes).allSatisfy(size -> assertThat(size).isEqualTo(2));
  }
}
