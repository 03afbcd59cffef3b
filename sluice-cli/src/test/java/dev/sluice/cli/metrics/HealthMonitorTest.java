package dev.sluice.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {

  @Test
  void workersWaitingLongAreNamedInTheReasonHealthyOrNot() {
    AtomicLong now = new AtomicLong();
    AtomicReference<List<String>> waits = new AtomicReference<>(List.of());
    HealthMonitor health = new HealthMonitor(Duration.ofSeconds(60), now::get, () -> true,
        waits::get);
    health.observe(MetricsTest.stats(10, 1));
    assertThat(health.check()).isEqualTo(new HealthMonitor.Health(true, "ok"));

    waits.set(List.of("sluice-worker-2 waiting 37 s on message #14"));
    now.addAndGet(Duration.ofSeconds(37).toNanos());
    health.observe(MetricsTest.stats(10, 1));
    assertThat(health.check()).isEqualTo(new HealthMonitor.Health(true,
        "ok; sluice-worker-2 waiting 37 s on message #14"));

    waits.set(List.of("sluice-worker-2 waiting 61 s on message #14"));
    now.addAndGet(Duration.ofSeconds(24).toNanos());
    health.observe(MetricsTest.stats(10, 1));
    assertThat(health.check()).isEqualTo(new HealthMonitor.Health(false,
        "stalled: 1 message(s) in flight and none settled for 61 s; "
            + "sluice-worker-2 waiting 61 s on message #14"));
  }
}
