package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's core promises, checked for every ordering mode and several pool sizes, with
 * random processing times from a printed seed.
 */
class PipelineBehaviourTest {

  static Stream<Arguments> modesAndPools() {
    List<Arguments> all = new ArrayList<>();
    long seed = Long.getLong("sluice.seed", System.nanoTime());
    for (Ordering ordering : Ordering.values()) {
      for (int workers : new int[] {1, 2, 4, 8}) {
        for (int maxInFlight : new int[] {1, 7, 64}) {
          all.add(Arguments.of(ordering, workers, maxInFlight, seed++));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}, {1} workers, maxInFlight {2}, seed {3}")
  @MethodSource("modesAndPools")
  void everyMessageIsProcessedOnceAndAckedOnceAfterItsResult(Ordering ordering, int workers,
      int maxInFlight, long seed) throws Exception {
    int count = 2_000;
    int keys = 13;
    Random random = new Random(seed);
    int[] delays = random.ints(count, 0, 40).toArray();
    Map<Long, AtomicInteger> processed = new ConcurrentHashMap<>();
    Map<Long, Boolean> written = new ConcurrentHashMap<>();
    Map<Object, AtomicInteger> runningPerKey = new ConcurrentHashMap<>();
    List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Long> output = new ArrayList<>();
    TrackedSource<Long> source = new TrackedSource<>(count, i -> i, i -> i % keys)
        .checkOnAck(written::containsKey);

    PipelineBuilder<Long, Long> builder = Sluice.from(source.publisher())
        .workers(workers).maxInFlight(maxInFlight).ordering(ordering)
        .process(i -> {
          processed.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
          AtomicInteger running = runningPerKey.computeIfAbsent(i % keys, k -> new AtomicInteger());
          if (running.incrementAndGet() > 1 && ordering == Ordering.BY_KEY) {
            problems.add("two messages of key " + (i % keys) + " ran at once");
          }
          spin(delays[(int) (long) i]);
          running.decrementAndGet();
          return i;
        });
    Stats stats = builder.to((result, message) -> {
      output.add(result);
      written.put(result, Boolean.TRUE);
      return Sink.DONE;
    }).start().awaitCompletion();

    String seedNote = "seed " + seed + " (rerun with -Dsluice.seed=" + seed + ")";
    assertThat(problems).as(seedNote).isEmpty();
    assertThat(stats.completed()).as(seedNote).isEqualTo(count);
    assertThat(stats.inFlight()).as(seedNote).isZero();
    assertThat(processed).as(seedNote).hasSize(count);
    assertThat(processed.values()).as(seedNote).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    source.assertEachSettledOnce();
    assertThat(source.nacks).as(seedNote).isEmpty();
    assertThat(source.maxOutstanding.get()).as(seedNote).isLessThanOrEqualTo(maxInFlight);
    assertThat(output).as(seedNote).hasSize(count).doesNotHaveDuplicates();
    if (ordering == Ordering.ORDERED) {
      assertThat(output).as(seedNote).isSorted();
    }
    if (ordering == Ordering.BY_KEY) {
      for (int k = 0; k < keys; k++) {
        int key = k;
        assertThat(output.stream().filter(i -> i % keys == key).toList()).as(seedNote + " key " + k)
            .isSorted();
      }
    }
  }

  /** Busy work of about {@code micros} microseconds, so threads really overlap. */
  private static void spin(int micros) {
    long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }
}
