package dev.sluice.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Pipeline;
import dev.sluice.RetryPolicy;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.Tap;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SluiceMetersTest {

  @Test
  void aPipelinesCountersGaugesAndTimersReachTheRegistryWithItsTags() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SluiceMeters meters = SluiceMeters.register(registry, Tags.of("pipeline", "orders"));
    Tap<Integer> tap = Tap.of(meters);
    List<Integer> messages = IntStream.rangeClosed(1, 10).boxed().toList();
    Pipeline pipeline = Sluice.from(tap.source(Sources.fromIterable(messages)))
        .workers(3)
        .retry(RetryPolicy.builder().maxAttempts(2)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(1)).build())
        .processMessages(tap.processor((Integer i) -> {
          if (i == 7) {
            throw new IllegalStateException("no " + i);
          }
          Thread.sleep(5);
          return i;
        }))
        .deadLetters(tap.deadLetters(Sinks.discard()))
        .start();
    meters.bind(pipeline);
    pipeline.awaitCompletion();

    assertThat(registry.get("sluice.messages.received").tag("pipeline", "orders")
        .functionCounter().count()).isEqualTo(10);
    assertThat(registry.get("sluice.messages.completed").functionCounter().count())
        .isEqualTo(9);
    assertThat(registry.get("sluice.attempts.failed").functionCounter().count()).isEqualTo(2);
    assertThat(registry.get("sluice.attempts.retried").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("sluice.messages.dead.lettered").functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("sluice.messages.in.flight").gauge().value()).isZero();
    assertThat(registry.get("sluice.workers").gauge().value()).isEqualTo(3);
    assertThat(registry.get("sluice.workers.busy").gauge().value()).isZero();

    Timer attempts = registry.get("sluice.attempt.duration").tag("pipeline", "orders").timer();
    assertThat(attempts.count()).isEqualTo(11);   // nine done, message 7 twice
    assertThat(attempts.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(5);
    Timer endToEnd = registry.get("sluice.end.to.end.duration").timer();
    assertThat(endToEnd.count()).isEqualTo(10);
    assertThat(endToEnd.totalTime(TimeUnit.NANOSECONDS))
        .isGreaterThanOrEqualTo(attempts.totalTime(TimeUnit.NANOSECONDS) * 0.5);
  }
}
