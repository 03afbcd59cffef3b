package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Stats;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The capacity arithmetic, driven by a hand-moved clock. */
class StatsRecorderTest {

  private long now;
  private long received;
  private long settled;
  private int busy;
  private long unmetDemand = Long.MAX_VALUE;

  private StatsRecorder recorder(int workers) {
    return new StatsRecorder(() -> now, new StatsRecorder.Gauges() {
      @Override public long received() { return received; }
      @Override public long settled() { return settled; }
      @Override public int busyWorkers() { return busy; }
      @Override public int workers() { return workers; }
      @Override public long unmetDemand() { return unmetDemand; }
    }, workers);
  }

  @Test
  void theFoundingArticlesLoadNeedsFiveWorkersAndTwoAreFallingBehind() {
    StatsRecorder stats = recorder(2);
    // one event a second, five seconds of work each, for ten seconds
    for (int second = 1; second <= 10; second++) {
      now += TimeUnit.SECONDS.toNanos(1);
      received++;
      if (second % 3 == 0) {
        stats.onAttempt(TimeUnit.SECONDS.toNanos(5), true);
        settled++;
      }
      busy = 2;
      stats.sample();
    }

    Stats snapshot = stats.snapshot();

    assertThat(snapshot.arrivalRate()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(snapshot.meanService()).isEqualTo(Duration.ofSeconds(5));
    // the load keeps 5 workers busy: 2.5 times the pool, though 2 workers can be at most 100% busy
    assertThat(snapshot.capacity().offeredLoad() / 2)
        .isCloseTo(2.5, org.assertj.core.data.Offset.offset(0.01));
    assertThat(snapshot.utilisation()).isGreaterThan(0.8).isLessThanOrEqualTo(1.0);
    assertThat(snapshot.workersNeeded()).isEqualTo(7);   // ⌈1 × 5 / 0.8⌉ = ⌈6.25⌉
    assertThat(snapshot.fallingBehind()).isTrue();
    assertThat(snapshot.inFlight()).isEqualTo(7);
    assertThat(snapshot.queued()).isEqualTo(5);
    assertThat(snapshot.summaryLine()).contains("FALLING BEHIND: need 7 workers, have 2");
  }

  @Test
  void anIdlePipelineNeedsOneWorkerAndIsNotBehind() {
    StatsRecorder stats = recorder(4);
    now += TimeUnit.SECONDS.toNanos(3);
    stats.sample();
    Stats snapshot = stats.snapshot();
    assertThat(snapshot.workersNeeded()).isEqualTo(1);
    assertThat(snapshot.utilisation()).isZero();
    assertThat(snapshot.fallingBehind()).isFalse();
    assertThat(snapshot.uptime()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void percentilesComeWithinAnEighthOfTheTrueValue() {
    StatsRecorder stats = recorder(1);
    for (int i = 1; i <= 1000; i++) {
      stats.onAttempt(TimeUnit.MICROSECONDS.toNanos(i), true);
    }
    Stats snapshot = stats.snapshot();
    assertThat(snapshot.serviceP50().toNanos()).isBetween(500_000L * 7 / 8, 500_000L * 9 / 8);
    assertThat(snapshot.serviceP99().toNanos()).isBetween(990_000L * 7 / 8, 990_000L * 9 / 8);
  }

  @Test
  void histogramBucketsCoverEveryValueAndRoundTrip() {
    for (long v : new long[] {0, 1, 7, 8, 15, 16, 1000, 123_456_789, Long.MAX_VALUE}) {
      long mid = LatencyHistogram.valueOf(LatencyHistogram.bucketOf(v));
      assertThat((double) Math.abs(mid - v)).isLessThanOrEqualTo(Math.max(1, v / 8.0));
    }
  }

  @Test
  void aPullSourceWithNoDemandLeftWhileEveryWorkerIsBusyMakesTheFiguresALowerBound() {
    StatsRecorder stats = recorder(2);
    // a file read as fast as asked: every message asked for is delivered at once, so the
    // intake is the completion rate and says nothing of what the file still holds
    busy = 2;
    unmetDemand = 0;
    for (int second = 1; second <= 10; second++) {
      now += TimeUnit.SECONDS.toNanos(1);
      received += 4;
      settled += 4;
      stats.onAttempt(TimeUnit.MILLISECONDS.toNanos(500), true);
      stats.onAttempt(TimeUnit.MILLISECONDS.toNanos(500), true);
      stats.onAttempt(TimeUnit.MILLISECONDS.toNanos(500), true);
      stats.onAttempt(TimeUnit.MILLISECONDS.toNanos(500), true);
      stats.sample();
    }
    Stats snapshot = stats.snapshot();
    assertThat(snapshot.capacity().lowerBound()).isTrue();
    assertThat(snapshot.fallingBehind()).isTrue();
    assertThat(snapshot.summaryLine()).contains("FALLING BEHIND: need at least 3 workers, have 2");

    unmetDemand = 5;       // demand outstanding: the source has nothing more to give
    StatsRecorder keepingUp = recorder(2);
    for (int second = 1; second <= 10; second++) {
      now += TimeUnit.SECONDS.toNanos(1);
      received += 2;
      settled += 2;
      keepingUp.onAttempt(TimeUnit.MILLISECONDS.toNanos(500), true);
      keepingUp.onAttempt(TimeUnit.MILLISECONDS.toNanos(500), true);
      keepingUp.sample();
    }
    assertThat(keepingUp.snapshot().capacity().lowerBound()).isFalse();
  }
}
