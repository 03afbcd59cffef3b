package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Many more workers than cores over a tiny window: the queue's slots are reused constantly
 * while threads are preempted mid-operation, the schedule that once lost a slot and hung.
 */
class QueueStressTest {

  @ParameterizedTest(name = "{0}: {1} workers, maxInFlight {2}")
  @CsvSource({"UNORDERED, 8, 2", "UNORDERED, 16, 16", "ORDERED, 8, 3", "BY_KEY, 8, 4"})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void noMessageIsLostOrStuckWhenSlotsAreReusedUnderPreemption(Ordering ordering, int workers,
      int maxInFlight) throws Exception {
    int count = 300_000;
    TrackedSource<Long> source = new TrackedSource<>(count, i -> i, i -> i % 5);
    Stats stats = Sluice.from(source.publisher()).workers(workers).maxInFlight(maxInFlight)
        .ordering(ordering).drainTimeout(Duration.ofSeconds(5))
        .process(i -> i).to(Sinks.discard()).start().awaitCompletion();
    assertThat(stats.completed()).isEqualTo(count);
    assertThat(source.maxOutstanding.get()).isLessThanOrEqualTo(maxInFlight);
    source.assertEachSettledOnce();
  }
}
