package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Capacity;
import dev.sluice.Capacity.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The capacity model on loads whose answer is known, driven by a small simulation of a
 * pipeline on a fake clock: a source offering messages, an in-flight bound, a queue and a pool
 * of workers, sampled every 250 ms as the stats timer does.
 */
class CapacityModelTest {

  private static final long MS = 1_000_000L;

  /** A pipeline simulated in 10 ms steps. */
  static final class Simulation {
    final int workers;
    final long maxInFlight;
    final boolean sourceReportsBacklog;
    final CapacityModel model;
    final List<Capacity> verdicts = new ArrayList<>();
    final long[] remaining;            // per worker: ns of work left, 0 = idle
    final long[] assigned;             // per worker: the running attempt's whole work
    final Random random;
    long now;
    long pending;                      // offered, not yet taken by the pipeline
    long queued;                       // taken, waiting for a worker
    long received;
    long attempts;
    long serviceNanos;
    double arrivalCredit;
    long sinceSample;

    Simulation(int workers, long maxInFlight, boolean sourceReportsBacklog, long seed) {
      this.workers = workers;
      this.maxInFlight = maxInFlight;
      this.sourceReportsBacklog = sourceReportsBacklog;
      this.model = new CapacityModel();
      this.remaining = new long[workers];
      this.assigned = new long[workers];
      this.random = new Random(seed);
    }

    /** Runs {@code seconds} of a load: {@code rate} arrivals a second, {@code serviceMs} each. */
    Simulation run(double seconds, double rate, double serviceMs, boolean randomService) {
      long step = 10 * MS;
      for (long t = 0; t < seconds * 1e9; t += step) {
        now += step;
        arrivalCredit += rate * step / 1e9;
        while (arrivalCredit >= 1) {
          arrivalCredit -= 1;
          pending++;
        }
        int busy = 0;
        for (int w = 0; w < workers; w++) {
          if (remaining[w] > 0) {
            remaining[w] = Math.max(0, remaining[w] - step);
            if (remaining[w] == 0) {
              attempts++;               // an attempt is counted when it ends, as the engine does
              serviceNanos += assigned[w];
            }
          }
          if (remaining[w] > 0) {
            busy++;
          }
        }
        while (pending > 0 && queued + busy < maxInFlight) {
          pending--;
          queued++;
          received++;
        }
        for (int w = 0; w < workers && queued > 0; w++) {
          if (remaining[w] == 0) {
            queued--;
            long work = (long) (randomService
                ? -Math.log(1 - random.nextDouble()) * serviceMs * MS : serviceMs * MS);
            work = Math.max(MS, work);
            remaining[w] = work;
            assigned[w] = work;
          }
        }
        sinceSample += step;
        if (sinceSample >= 250 * MS) {
          sinceSample = 0;
          sample();
        }
      }
      return this;
    }

    private void sample() {
      int busy = 0;
      for (long r : remaining) {
        if (r > 0) {
          busy++;
        }
      }
      boolean saturated = busy >= workers && queued + busy >= maxInFlight;
      model.add(new CapacityModel.Sample(now, received, attempts, serviceNanos, busy, workers,
          saturated,
          sourceReportsBacklog ? pending : -1));
      verdicts.add(model.current());
    }

    Capacity last() {
      return verdicts.get(verdicts.size() - 1);
    }

    List<Capacity> after(double seconds) {
      int skip = (int) (seconds * 4);
      return verdicts.subList(Math.min(skip, verdicts.size()), verdicts.size());
    }
  }

  @Test
  void theFoundingArticlesRunIsAlwaysKeepingUpWithNoHeadroomNeverFallingBehind() {
    // one event a second, 5 s of work each, 5 workers: exactly at capacity
    for (boolean backlog : new boolean[] {true, false}) {
      Simulation sim = new Simulation(5, 32, backlog, 1).run(60, 1.0, 5000, false);

      assertThat(sim.verdicts).noneMatch(Capacity::fallingBehind);
      assertThat(sim.after(12)).allSatisfy(c -> {
        assertThat(c.verdict()).isEqualTo(Verdict.NO_HEADROOM);
        assertThat(c.workersNeeded()).isEqualTo(7);          // ⌈5 / 0.8⌉
      });
      assertThat(sim.last().describe())
          .isEqualTo("keeping up, with no headroom: 7 workers keep it at or under 80%");
    }
  }

  @Test
  void tenPerSecondOfAThirdOfASecondIsTooMuchForTwoWorkers() {
    Simulation sim = new Simulation(2, 32, true, 2).run(30, 10, 350, false);

    Capacity last = sim.last();
    assertThat(last.verdict()).isEqualTo(Verdict.FALLING_BEHIND);
    assertThat(last.workersNeeded()).isBetween(4, 6);            // λ·S = 3.5 → ⌈4.4⌉ = 5
    assertThat(last.lowerBound()).isFalse();                      // the generator said so
    assertThat(last.arrivalRate()).isCloseTo(10, org.assertj.core.data.Offset.offset(1.0));
    assertThat(last.utilisation()).isLessThanOrEqualTo(1.0);
    assertThat(last.describe()).isEqualTo("falling behind: need 5 workers, have 2");
  }

  @Test
  void aSaturatedPipelineWhoseSourceCannotSayItsBacklogGivesALowerBound() {
    Simulation sim = new Simulation(2, 32, false, 3).run(30, 10, 350, false);

    Capacity last = sim.last();
    assertThat(last.verdict()).isEqualTo(Verdict.FALLING_BEHIND);
    assertThat(last.lowerBound()).isTrue();
    assertThat(last.workersNeeded()).isGreaterThanOrEqualTo(3);
    assertThat(last.describe()).startsWith("falling behind: need at least ");
  }

  @Test
  void eightWorkersKeepUpWithTheSameLoadAfterWarmUp() {
    Simulation sim = new Simulation(8, 32, true, 4).run(30, 10, 350, false);

    assertThat(sim.after(3)).allSatisfy(c -> {
      assertThat(c.fallingBehind()).isFalse();
      assertThat(c.verdict()).isEqualTo(Verdict.KEEPING_UP);
      assertThat(c.workersNeeded()).isBetween(4, 6);
    });
    assertThat(sim.last().utilisation()).isCloseTo(3.5 / 8,
        org.assertj.core.data.Offset.offset(0.08));
  }

  @Test
  void trivialWorkNeedsOneWorker() {
    // the exec processor times attempts from the line written to a started child, so a
    // child's slow start-up is not in the attempts the model sees
    Simulation sim = new Simulation(8, 32, false, 5).run(20, 10, 1, false);

    assertThat(sim.last().workersNeeded()).isEqualTo(1);
    assertThat(sim.last().verdict()).isEqualTo(Verdict.KEEPING_UP);
  }

  @Test
  void aLoadThatStepsUpAndDownIsFollowedWithHysteresis() {
    Simulation sim = new Simulation(4, 32, true, 6);
    sim.run(20, 4, 350, false);                          // λ·S = 1.4 of 4
    assertThat(sim.last().verdict()).isEqualTo(Verdict.KEEPING_UP);

    sim.run(0.5, 40, 350, false);                        // a half-second burst
    assertThat(sim.last().verdict()).isEqualTo(Verdict.KEEPING_UP);

    sim.run(30, 20, 350, false);                         // λ·S = 7 of 4
    assertThat(sim.last().verdict()).isEqualTo(Verdict.FALLING_BEHIND);
    assertThat(sim.last().workersNeeded()).isBetween(8, 10);

    sim.run(60, 4, 350, false);                          // back down; the backlog drains
    assertThat(sim.last().verdict()).isEqualTo(Verdict.KEEPING_UP);
    assertThat(sim.last().workersNeeded()).isEqualTo(2);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13, 14, 15, 16})
  void theVerdictAndWorkersNeededNeverContradictAndUtilisationStaysPhysical(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int workers = 1 + random.nextInt(12);
    Simulation sim = new Simulation(workers, Math.max(32, 4L * workers), random.nextBoolean(),
        seed);
    for (int phase = 0; phase < 6; phase++) {
      sim.run(5 + random.nextInt(20), random.nextDouble() * 30, 1 + random.nextDouble() * 800,
          true);
    }

    assertThat(sim.verdicts).as("seed %d", seed).allSatisfy(c -> {
      assertThat(c.utilisation()).isBetween(0.0, 1.0);
      switch (c.verdict()) {
        case KEEPING_UP:
          assertThat(c.workersNeeded()).isLessThanOrEqualTo(workers);
          break;
        case NO_HEADROOM:
        case FALLING_BEHIND:
          assertThat(c.workersNeeded()).isGreaterThan(workers);
          break;
        default:
          break;
      }
    });
  }
}
