package dev.sluice.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

  @Test
  void anIdlePartitionCommitsItsStartingPosition() {
    assertThat(new OffsetTracker(42).watermark()).isEqualTo(42);
  }

  @Test
  void theWatermarkStopsAtTheFirstUnfinishedOffset() {
    OffsetTracker t = new OffsetTracker(10);
    for (long o = 10; o < 15; o++) {
      t.start(o);
    }
    t.finish(11);
    t.finish(13);
    assertThat(t.watermark()).isEqualTo(10);
    t.finish(10);
    assertThat(t.watermark()).isEqualTo(12);
    assertThat(t.finishedAbove()).containsExactly(13);
    t.finish(12);
    assertThat(t.watermark()).isEqualTo(14);
    t.finish(14);
    assertThat(t.watermark()).isEqualTo(15);
    assertThat(t.unfinished()).isZero();
  }

  @Test
  void gapsInOffsetsAreNotWaitedFor() {
    OffsetTracker t = new OffsetTracker(0);
    t.start(3);          // 0..2 were transaction markers or compacted away
    t.start(7);
    t.finish(3);
    assertThat(t.watermark()).isEqualTo(7);
    t.finish(7);
    assertThat(t.watermark()).isEqualTo(8);
  }

  @Test
  void duplicateUnknownAndStaleFinishesChangeNothing() {
    OffsetTracker t = new OffsetTracker(0);
    t.start(0);
    t.start(1);
    assertThat(t.finish(5)).isFalse();
    assertThat(t.finish(1)).isTrue();
    assertThat(t.finish(1)).isFalse();
    assertThat(t.finish(0)).isTrue();
    assertThat(t.finish(0)).isFalse();   // below the watermark now
    assertThat(t.watermark()).isEqualTo(2);
    assertThat(t.unfinished()).isZero();
  }

  @Test
  void offsetsMustBeStartedInIncreasingOrder() {
    OffsetTracker t = new OffsetTracker(5);
    assertThatThrownBy(() -> t.start(4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offsets must be started in increasing order: 4 after 4");
    t.start(5);
    assertThatThrownBy(() -> t.start(5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OffsetTracker(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("position must be >= 0 but was -1");
  }

  @Test
  void growsPastItsInitialCapacityWhileTheRingWraps() {
    OffsetTracker t = new OffsetTracker(0);
    // Keep offset 0 unfinished so nothing leaves the ring, after wrapping the head forward.
    for (long o = 0; o < 50; o++) {
      t.start(o);
    }
    for (long o = 0; o < 40; o++) {
      t.finish(o);
    }
    for (long o = 50; o < 500; o++) {
      t.start(o);
    }
    assertThat(t.watermark()).isEqualTo(40);
    for (long o = 499; o >= 41; o--) {
      t.finish(o);
    }
    assertThat(t.watermark()).isEqualTo(40);
    assertThat(t.finishedAbove()).hasSize(459);
    t.finish(40);
    assertThat(t.watermark()).isEqualTo(500);
  }

  @Test
  void awaitIdleReturnsWhenTheLastOffsetFinishes() throws Exception {
    OffsetTracker t = new OffsetTracker(0);
    t.start(0);
    assertThat(t.awaitIdle(1, TimeUnit.MILLISECONDS)).isFalse();
    CountDownLatch waiting = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> idle = pool.submit(() -> {
        waiting.countDown();
        return t.awaitIdle(30, TimeUnit.SECONDS);
      });
      waiting.await();
      t.finish(0);
      assertThat(idle.get(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  /** Against a model (a sorted set of unfinished offsets), in random orders with random gaps. */
  @Test
  void matchesTheModelInRandomOrders() {
    long seed = System.nanoTime();
    System.out.println("OffsetTrackerTest.matchesTheModelInRandomOrders seed=" + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      long start = random.nextInt(1000);
      OffsetTracker t = new OffsetTracker(start);
      TreeSet<Long> unfinished = new TreeSet<>();
      List<Long> startedNotFinished = new ArrayList<>();
      long next = start;
      long last = start - 1;
      int steps = 50 + random.nextInt(500);
      for (int s = 0; s < steps; s++) {
        if (random.nextInt(3) > 0 || startedNotFinished.isEmpty()) {
          long offset = last + 1 + (random.nextInt(10) == 0 ? random.nextInt(5) : 0);
          t.start(offset);
          unfinished.add(offset);
          startedNotFinished.add(offset);
          last = offset;
        } else {
          long offset = startedNotFinished.remove(random.nextInt(startedNotFinished.size()));
          assertThat(t.finish(offset)).as("seed %d", seed).isTrue();
          unfinished.remove(offset);
        }
        long expected = unfinished.isEmpty() ? last + 1 : unfinished.first();
        if (last < start) {
          expected = start;
        }
        assertThat(t.watermark()).as("seed %d round %d step %d", seed, round, s)
            .isEqualTo(expected);
        assertThat(t.unfinished()).isEqualTo(unfinished.size());
        assertThat(t.watermark()).isGreaterThanOrEqualTo(next);
        next = t.watermark();
      }
    }
  }

  /** Many threads finishing at once: the watermark only rises and ends past the last. */
  @Test
  void concurrentFinishesKeepTheWatermarkMonotone() throws Exception {
    long seed = System.nanoTime();
    System.out.println("OffsetTrackerTest.concurrentFinishesKeepTheWatermarkMonotone seed="
        + seed);
    int count = 200_000;
    OffsetTracker t = new OffsetTracker(0);
    List<Long> order = new ArrayList<>(count);
    for (long o = 0; o < count; o++) {
      t.start(o);
      order.add(o);
    }
    Collections.shuffle(order, new Random(seed));
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong violations = new AtomicLong();
    try {
      Future<?> watcher = pool.submit(() -> {
        long previous = 0;
        while (!done.get()) {
          long w = t.watermark();
          if (w < previous) {
            violations.incrementAndGet();
          }
          previous = w;
          Thread.onSpinWait();
        }
      });
      List<Future<?>> workers = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        int from = k * count / threads;
        int to = (k + 1) * count / threads;
        workers.add(pool.submit(() -> {
          for (int i = from; i < to; i++) {
            t.finish(order.get(i));
          }
        }));
      }
      for (Future<?> f : workers) {
        f.get(60, TimeUnit.SECONDS);
      }
      done.set(true);
      watcher.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(violations.get()).as("seed %d", seed).isZero();
    assertThat(t.watermark()).isEqualTo(count);
    assertThat(t.unfinished()).isZero();
  }
}
