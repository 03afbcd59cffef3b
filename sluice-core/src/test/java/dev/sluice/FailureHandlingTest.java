package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Retries, backoff, dead letters and timeouts: one bad message never stops the pipeline. */
class FailureHandlingTest {

  private static final RetryPolicy THREE_QUICK = RetryPolicy.builder().maxAttempts(3)
      .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build();

  @ParameterizedTest
  @EnumSource(Ordering.class)
  void aMessageThatFailsTwiceSucceedsOnItsThirdAttempt(Ordering ordering) throws Exception {
    Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
    List<Long> output = new CopyOnWriteArrayList<>();
    TrackedSource<Long> source = TrackedSource.ofLongs(200);
    Stats stats = Sluice.from(source.publisher()).workers(4).ordering(ordering).retry(THREE_QUICK)
        .process(i -> {
          if (i % 10 == 0 && attempts.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet() < 3) {
            throw new IOException("flaky " + i);
          }
          return i;
        })
        .to(Sinks.collection(output)).start().awaitCompletion();

    assertThat(output).hasSize(200);
    assertThat(stats.failed()).isEqualTo(40);
    assertThat(stats.retried()).isEqualTo(40);
    assertThat(stats.deadLettered()).isZero();
    source.assertEachSettledOnce();
    if (ordering == Ordering.ORDERED) {
      assertThat(output).isSorted();
    }
  }

  @ParameterizedTest
  @EnumSource(Ordering.class)
  void aMessageOutOfAttemptsIsDeadLetteredWithItsCauseAndAckedAndTheRestFlows(Ordering ordering)
      throws Exception {
    List<DeadLetter<Long>> dead = new CopyOnWriteArrayList<>();
    List<Long> output = new CopyOnWriteArrayList<>();
    TrackedSource<Long> source = TrackedSource.ofLongs(100);
    Stats stats = Sluice.from(source.publisher()).workers(3).ordering(ordering).retry(THREE_QUICK)
        .process(i -> {
          if (i == 42) {
            throw new IllegalStateException("poison " + i);
          }
          return i;
        })
        .to(Sinks.collection(output)).deadLetters(Sinks.collection(dead)).start().awaitCompletion();

    assertThat(output).hasSize(99).doesNotContain(42L);
    assertThat(dead).singleElement().satisfies(letter -> {
      assertThat(letter.message().payload()).isEqualTo(42L);
      assertThat(letter.attempts()).isEqualTo(3);
      assertThat(letter.cause()).isInstanceOf(IllegalStateException.class).hasMessage("poison 42");
    });
    assertThat(stats.deadLettered()).isEqualTo(1);
    assertThat(stats.completed()).isEqualTo(99);
    assertThat(source.acks).containsKey(42L);
    source.assertEachSettledOnce();
  }

  @Test
  void aFailureTheRetryPolicyRejectsIsDeadLetteredAtOnce() throws Exception {
    List<DeadLetter<Long>> dead = new CopyOnWriteArrayList<>();
    RetryPolicy onlyIo = RetryPolicy.builder().maxAttempts(5).retryOn(IOException.class)
        .backoff(Duration.ZERO, Duration.ZERO).build();
    Stats stats = Sluice.from(TrackedSource.ofLongs(10).publisher()).workers(2).retry(onlyIo)
        .process(i -> {
          if (i == 3) {
            throw new IllegalArgumentException("malformed");
          }
          return i;
        })
        .deadLetters(Sinks.collection(dead)).start().awaitCompletion();

    assertThat(dead).singleElement().extracting(DeadLetter::attempts).isEqualTo(1);
    assertThat(stats.retried()).isZero();
  }

  @Test
  void backoffGrowsExponentiallyUpToItsCeilingWithJitterBelowTheBase() {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(10)
        .backoff(Duration.ofMillis(100), Duration.ofMillis(1000)).multiplier(2).jitter(0.5).build();
    assertThat(policy.backoff(1, 0.0)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoff(2, 0.0)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.backoff(3, 0.0)).isEqualTo(Duration.ofMillis(400));
    assertThat(policy.backoff(5, 0.0)).isEqualTo(Duration.ofMillis(1000));
    assertThat(policy.backoff(2, 0.999999)).isBetween(Duration.ofMillis(100), Duration.ofMillis(101));
    assertThat(policy.shouldRetry(9, new RuntimeException())).isTrue();
    assertThat(policy.shouldRetry(10, new RuntimeException())).isFalse();
  }

  @Test
  void anAttemptPastTheTimeoutIsInterruptedAndDeadLetteredWithATimeoutException()
      throws Exception {
    List<DeadLetter<Long>> dead = new CopyOnWriteArrayList<>();
    AtomicInteger interrupted = new AtomicInteger();
    Stats stats = Sluice.from(TrackedSource.ofLongs(20).publisher()).workers(2)
        .timeout(Duration.ofMillis(50))
        .retry(RetryPolicy.builder().maxAttempts(2).backoff(Duration.ZERO, Duration.ZERO).build())
        .process(i -> {
          if (i == 7) {
            try {
              new CountDownLatch(1).await();     // hangs until interrupted
            } catch (InterruptedException e) {
              interrupted.incrementAndGet();
              throw e;
            }
          }
          return i;
        })
        .deadLetters(Sinks.collection(dead)).start().awaitCompletion();

    assertThat(dead).singleElement().satisfies(letter -> {
      assertThat(letter.message().payload()).isEqualTo(7L);
      assertThat(letter.attempts()).isEqualTo(2);
      assertThat(letter.cause()).isInstanceOf(TimeoutException.class)
          .hasMessageContaining("ran past the timeout of PT0.05S");
    });
    assertThat(interrupted).hasValue(2);
    assertThat(stats.timedOut()).isEqualTo(2);
    assertThat(stats.completed()).isEqualTo(19);
  }

  @Test
  void aTaskThatIgnoresInterruptionCostsOneWorkerButNeitherGrowsThePoolNorStopsTheRest()
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<DeadLetter<Long>> dead = new CopyOnWriteArrayList<>();
    List<Long> output = new CopyOnWriteArrayList<>();
    Pipeline pipeline = Sluice.from(TrackedSource.ofLongs(50).publisher()).workers(2)
        .name("stubborn").timeout(Duration.ofMillis(30)).interruptGrace(Duration.ofMillis(100))
        .process(i -> {
          if (i == 0) {
            while (release.getCount() > 0) {           // deaf to interrupts
              Thread.onSpinWait();
            }
          }
          return i;
        })
        .to(Sinks.collection(output)).deadLetters(Sinks.collection(dead)).start();
    try {
      Stats stats = pipeline.awaitCompletion();
      assertThat(output).hasSize(49);
      assertThat(dead).singleElement().extracting(l -> l.message().payload()).isEqualTo(0L);
      assertThat(stats.timedOut()).isEqualTo(1);
      long workerThreads = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().startsWith("stubborn-worker-")).count();
      assertThat(workerThreads).isLessThanOrEqualTo(2);
      DrainResult result = pipeline.drain(Duration.ofMillis(10));
      assertThat(result.stuckWorkers()).hasSize(1);
      assertThat(result.clean()).isFalse();
    } finally {
      release.countDown();
    }
  }

  @Test
  void aRetryWaitsOnTheTimerNotOnAWorker() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    List<Long> output = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    Sluice.from(TrackedSource.ofLongs(2).publisher()).workers(1)
        .retry(RetryPolicy.builder().maxAttempts(2)
            .backoff(Duration.ofMillis(300), Duration.ofMillis(300)).jitter(0).build())
        .process(i -> {
          if (i == 0 && attempts.incrementAndGet() == 1) {
            throw new IOException("later");
          }
          output.add(i);
          return i;
        }).start().awaitCompletion();
    // with one worker, message 1 ran while message 0 waited for its retry
    assertThat(output).containsExactly(1L, 0L);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
  }
}
