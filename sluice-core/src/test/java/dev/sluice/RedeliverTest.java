package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link RedeliverException}: the message goes back to its source, untried and unblamed. */
class RedeliverTest {

  @ParameterizedTest
  @EnumSource(Ordering.class)
  void aRedeliverExceptionNacksTheMessageWithoutRetryingOrDeadLetteringIt(Ordering ordering)
      throws Exception {
    Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
    List<DeadLetter<Long>> dead = new CopyOnWriteArrayList<>();
    List<Long> output = new CopyOnWriteArrayList<>();
    TrackedSource<Long> source = TrackedSource.ofLongs(100);
    RetryPolicy threeQuick = RetryPolicy.builder().maxAttempts(3)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build();
    Stats stats = Sluice.from(source.publisher()).workers(3).ordering(ordering).retry(threeQuick)
        .process(i -> {
          attempts.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
          if (i % 25 == 7) {
            throw new RedeliverException("the worker's child was stopped from outside");
          }
          return i;
        })
        .to(Sinks.collection(output)).deadLetters(Sinks.collection(dead)).start()
        .awaitCompletion();

    assertThat(dead).isEmpty();
    assertThat(output).hasSize(96).doesNotContain(7L, 32L, 57L, 82L);
    assertThat(source.nacks).containsOnlyKeys(7L, 32L, 57L, 82L);
    assertThat(attempts.get(7L)).as("never retried").hasValue(1);
    assertThat(stats.nacked()).isEqualTo(4);
    assertThat(stats.deadLettered()).isZero();
    assertThat(stats.retried()).isZero();
    assertThat(stats.failed()).as("not counted as a failed attempt").isZero();
    source.assertEachSettledOnce();
  }
}
