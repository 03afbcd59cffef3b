package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Stats;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoReportTest {

  /** Final statistics of a run that completed {@code events} using {@code service} in all. */
  private static Stats finalStats(long events, Duration service, int workers) {
    return new Stats(Duration.ofSeconds(15), events, events, 0, 0, 0, 0, 0, 0, 0, 0, workers,
        0, 0, Duration.ZERO, service, Duration.ZERO, Duration.ZERO, Duration.ZERO,
        Duration.ZERO, 0, 1, false, dev.sluice.Capacity.warmingUp(workers), 0, 0);
  }

  @Test
  void theArticlesRunIsFullyUtilisedAndNeedsSevenWorkersForHeadroom() {
    DemoReport report = new DemoReport(10, Duration.ofSeconds(1), Duration.ofSeconds(5), 5,
        Duration.ofMillis(15_040), Duration.ofMillis(10_002),
        finalStats(10, Duration.ofSeconds(50), 5));

    assertThat(report.lines()).containsExactly(
        "10 events in 15.0 s = 0.66 events/s",
        "wall time 15.040 s, ideal 15.000 s (last arrival at 10s + 5s of work): 40ms over",
        "utilisation 100% of 5 workers (1.00 events/s × 5.00 s of work each), workers needed 7 "
            + "to keep it at or under 80%: keeping up, with no headroom",
        "workers busy 66% of the wall time");
  }

  @Test
  void tooFewWorkersAreReportedAsFallingBehind() {
    DemoReport report = new DemoReport(10, Duration.ofSeconds(1), Duration.ofSeconds(5), 2,
        Duration.ofSeconds(30), Duration.ofSeconds(10), finalStats(10, Duration.ofSeconds(50), 2));

    // the load is 250% of what two workers can do; utilisation itself cannot pass 100%
    assertThat(report.lines().get(2)).startsWith("load 250% of 2 workers")
        .endsWith("workers needed 7 to keep it at or under 80%: falling behind");
  }

  @Test
  void withoutIntervalsTheIdealIsTheWorkSharedOverTheWorkers() {
    DemoReport report = new DemoReport(1000, Duration.ZERO, Duration.ofMillis(10), 5,
        Duration.ofMillis(2_100), Duration.ofMillis(1),
        finalStats(1000, Duration.ofSeconds(10), 5));

    assertThat(report.lines().get(1)).isEqualTo(
        "wall time 2.100 s, ideal 2.000 s (1000 events × 10ms of work on 5 workers): 100ms over");
  }

  @Test
  void noEventsGiveOneLine() {
    DemoReport report = new DemoReport(0, Duration.ofSeconds(1), Duration.ofSeconds(5), 5,
        Duration.ofMillis(40), null, finalStats(0, Duration.ZERO, 5));

    assertThat(report.lines()).containsExactly("0 events in 0.0 s = 0.00 events/s");
  }

  @Test
  void aRunStoppedBeforeTheSourceFinishedSaysSoInsteadOfComparingWithTheIdeal() {
    DemoReport report = new DemoReport(10, Duration.ofSeconds(1), Duration.ofSeconds(5), 5,
        Duration.ofSeconds(11), null, finalStats(6, Duration.ofSeconds(30), 5));

    assertThat(report.lines()).containsExactly(
        "6 events in 11.0 s = 0.55 events/s",
        "stopped before the source finished: 6 of 10 events arrived, 6 processed, "
            + "0 given back unprocessed",
        "workers busy 55% of the wall time");
  }

  @Test
  void largeRatesAreGroupedByThousands() {
    assertThat(DemoReport.rate(2_000_000, 0.909)).isEqualTo("2,200,220");
  }

  @Test
  void smallRatesKeepTwoDecimalsOrOne() {
    assertThat(DemoReport.rate(10, 15.0)).isEqualTo("0.67");
    assertThat(DemoReport.rate(10, 0.5)).isEqualTo("20.0");
  }

  @Test
  void noEventsInNoTimeIsARateOfZero() {
    assertThat(DemoReport.rate(0, 0.0)).isEqualTo("0");
  }

  @Test
  void timesAreWrittenInTheUnitThatSuitsThem() {
    assertThat(DemoReport.human(5.0)).isEqualTo("5.00 s");
    assertThat(DemoReport.human(0.0125)).isEqualTo("12.5 ms");
    assertThat(DemoReport.human(2.5e-6)).isEqualTo("2.5 µs");
    assertThat(DemoReport.human(31e-9)).isEqualTo("31 ns");
  }
}
