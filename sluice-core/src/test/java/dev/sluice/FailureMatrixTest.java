package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behavioural suite crossed with failure kinds: every ordering mode × every kind of
 * failure, on a fixed pool and, in some cells, an adaptive one, with random work from a printed
 * seed (rerun one with {@code -Dsluice.seed=N}). Every cell checks one invariant:
 *
 * <ul>
 *   <li>every message the pipeline received ends exactly once: processed (its result written,
 *       then acked), dead-lettered (with its cause and attempt count, then acked) or nacked,
 *       and the source sees exactly one ack or nack for it;</li>
 *   <li>the mode's ordering holds for what was written (ORDERED: arrival order; BY_KEY: arrival
 *       order per key, and one message of a key at a time where no attempt was timed out);</li>
 *   <li>the {@link Stats} counts equal what the test observed;</li>
 *   <li>the pipeline ends COMPLETED, or FAILED with the sink's or source's cause, and leaves no
 *       thread behind.</li>
 * </ul>
 */
class FailureMatrixTest {

  private static final int COUNT = 400;
  private static final int KEYS = 7;
  /** The message whose write fails, or where the source fails. */
  private static final long FAIL_AT = 150;
  /** Under TIMEOUT on a pool of at least two: ignores the interrupt at its first timeout. */
  private static final long DEAF = 11;
  private static final Duration TIMEOUT = Duration.ofMillis(150);
  private static final AtomicInteger CELLS = new AtomicInteger();

  /** What goes wrong in a cell. */
  enum Failure {
    /** A few messages hang on every attempt until interrupted: timed out three times, then
     * dead-lettered; one more ignores its first interrupt and succeeds on its retry. */
    TIMEOUT,
    /** Poison messages always throw: retried, then dead-lettered; flaky ones throw once. */
    PROCESSOR_THROWS,
    /** Some messages throw {@link RedeliverException}: nacked, never retried. */
    REDELIVER,
    /** The sink throws (synchronously) on one write: the pipeline fails. */
    SINK_THROWS,
    /** An asynchronous sink completes its writes late, out of order, on its own thread, and
     * fails one of them: the pipeline fails. */
    ASYNC_SINK_FAILS,
    /** An asynchronous sink completes every write late, out of order, on its own thread. */
    ASYNC_SINK_OUT_OF_ORDER,
    /** The source fails mid-stream (onError): what it delivered is still processed. */
    SOURCE_FAILS;

    boolean failsThePipeline() {
      return this == SINK_THROWS || this == ASYNC_SINK_FAILS || this == SOURCE_FAILS;
    }

    boolean asyncSink() {
      return this == ASYNC_SINK_FAILS || this == ASYNC_SINK_OUT_OF_ORDER;
    }
  }

  /** A result: which message, on which attempt. */
  record Done(long index, int attempt) {
  }

  /** A write waiting for the asynchronous sink's completer. */
  record Pending(long index, CompletableFuture<Void> future) {
  }

  static Stream<Arguments> cells() {
    long seed = Long.getLong("sluice.seed", System.nanoTime());
    List<Arguments> all = new ArrayList<>();
    for (Ordering ordering : Ordering.values()) {
      for (Failure failure : Failure.values()) {
        all.add(Arguments.of(ordering, failure, Workers.fixed(3), seed++));
      }
    }
    for (Ordering ordering : Ordering.values()) {
      for (Failure failure : List.of(Failure.TIMEOUT, Failure.PROCESSOR_THROWS,
          Failure.ASYNC_SINK_OUT_OF_ORDER, Failure.SINK_THROWS)) {
        all.add(Arguments.of(ordering, failure, Workers.adaptive(1, 8), seed++));
      }
    }
    return all.stream();
  }

  private static boolean hangs(long i) {
    return i % 150 == 3;                        // 3, 153, 303
  }

  private static boolean poison(long i) {
    return i % 50 == 7;
  }

  private static boolean flaky(long i) {
    return i % 50 == 21;
  }

  private static boolean redelivered(long i) {
    return i % 25 == 7;
  }

  @ParameterizedTest(name = "{0} × {1}, workers {2}, seed {3}")
  @MethodSource("cells")
  void everyMessageEndsExactlyOnceInOrderAndCountedWhateverFails(Ordering ordering,
      Failure failure, Workers workers, long seed) throws Exception {
    String seedNote = ordering + " × " + failure + ", workers " + workers + ", seed " + seed
        + " (rerun with -Dsluice.seed=" + seed + ")";
    String name = "fm" + CELLS.incrementAndGet();
    Random random = new Random(seed);
    int[] workMicros = random.ints(COUNT, 0, 20).toArray();
    boolean deaf = failure == Failure.TIMEOUT && workers.min() >= 2;
    RuntimeException diskFull = new IllegalStateException("disk full at " + FAIL_AT);
    IOException connectionReset = new IOException("connection reset");

    // what the test observes
    List<Long> written = Collections.synchronizedList(new ArrayList<>());
    Map<Long, Integer> writtenAttempt = new ConcurrentHashMap<>();
    Set<Long> confirmed = ConcurrentHashMap.newKeySet();
    List<DeadLetter<Long>> dead = new CopyOnWriteArrayList<>();
    Set<Long> deadIds = ConcurrentHashMap.newKeySet();
    Set<Object> received = ConcurrentHashMap.newKeySet();
    Map<Object, AtomicInteger> runningPerKey = new ConcurrentHashMap<>();
    List<String> problems = new CopyOnWriteArrayList<>();
    CountDownLatch deafRetryStarted = new CountDownLatch(1);

    TrackedSource<Long> source = new TrackedSource<>(COUNT, i -> i, i -> i % KEYS)
        .checkOnAck(i -> confirmed.contains(i) || deadIds.contains(i));
    if (failure == Failure.SOURCE_FAILS) {
      source.failAfter(FAIL_AT, connectionReset);
    }

    MessageProcessor<Long, Done> processor = (message, attempt) -> {
      long i = message.payload();
      AtomicInteger running = runningPerKey.computeIfAbsent(i % KEYS, k -> new AtomicInteger());
      if (running.incrementAndGet() > 1 && ordering == Ordering.BY_KEY
          && failure != Failure.TIMEOUT) {
        problems.add("two messages of key " + (i % KEYS) + " ran at once (at " + i + ")");
      }
      try {
        return attempt(failure, deaf, i, attempt, workMicros, deafRetryStarted);
      } finally {
        running.decrementAndGet();
      }
    };

    LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    Thread completer = null;
    if (failure.asyncSink()) {
      Random shuffle = new Random(seed ^ 0x5EED);
      completer = new Thread(() -> completeOutOfOrder(pending, shuffle, confirmed,
          failure == Failure.ASYNC_SINK_FAILS ? diskFull : null), name + "-test-completer");
      completer.setDaemon(true);
      completer.start();
    }
    Sink<Done> sink = (result, message) -> {
      written.add(result.index());
      writtenAttempt.put(result.index(), result.attempt());
      if (failure == Failure.SINK_THROWS && result.index() == FAIL_AT) {
        throw diskFull;
      }
      if (failure.asyncSink()) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        pending.add(new Pending(result.index(), future));
        return future;
      }
      confirmed.add(result.index());
      return Sink.DONE;
    };
    Sink<DeadLetter<Long>> deadLetters = (letter, message) -> {
      dead.add(letter);
      deadIds.add(letter.message().payload());
      return Sink.DONE;
    };

    PipelineBuilder<Long, Done> builder = Sluice.from(recording(source.publisher(), received))
        .name(name).workers(workers).maxInFlight(16).ordering(ordering)
        .drainTimeout(Duration.ofSeconds(20))
        .processMessages(processor);
    switch (failure) {
      case TIMEOUT -> builder.timeout(TIMEOUT)
          .retry(RetryPolicy.builder().maxAttempts(3).backoff(Duration.ZERO, Duration.ZERO).build());
      case PROCESSOR_THROWS, REDELIVER -> builder.retry(RetryPolicy.builder().maxAttempts(3)
          .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build());
      default -> { }
    }
    Pipeline pipeline = builder.to(sink).deadLetters(deadLetters).start();

    PipelineException endedWith = null;
    try {
      pipeline.awaitCompletion();
    } catch (PipelineException e) {
      endedWith = e;
    }
    if (completer != null) {
      pending.add(new Pending(-1, null));     // the completer's end
      completer.join(TimeUnit.SECONDS.toMillis(10));
    }
    // a source cancelled by a failing pipeline may still be inside one last onNext (the Flow
    // rules allow it): wait until everything the source handed out is settled
    await().atMost(Duration.ofSeconds(10)).until(() -> source.settled.get() == source.delivered.get()
        && pipeline.stats().received() == received.size() && pipeline.stats().inFlight() == 0);
    Stats stats = pipeline.stats();

    // the end
    if (failure.failsThePipeline()) {
      assertThat(pipeline.state()).as(seedNote).isEqualTo(Pipeline.State.FAILED);
      assertThat(endedWith).as(seedNote).isNotNull();
      if (failure == Failure.SOURCE_FAILS) {
        assertThat(endedWith).as(seedNote).hasMessageContaining("source failed")
            .hasCause(connectionReset);
      } else {
        assertThat(endedWith).as(seedNote).hasMessageContaining("sink failed").hasCause(diskFull);
      }
    } else {
      assertThat(endedWith).as(seedNote).isNull();
      assertThat(pipeline.state()).as(seedNote).isEqualTo(Pipeline.State.COMPLETED);
    }
    await(seedNote).atMost(Duration.ofSeconds(10))
        .until(() -> liveThreads(name + "-").isEmpty());

    // each message exactly once
    assertThat(problems).as(seedNote).isEmpty();
    source.assertEachSettledOnce();
    Set<Long> nacked = new HashSet<>();
    for (Object r : received) {
      long i = (Long) r;
      boolean n = source.nacks.containsKey(i);
      int ends = (confirmed.contains(i) ? 1 : 0) + (deadIds.contains(i) ? 1 : 0) + (n ? 1 : 0);
      assertThat(ends).as(seedNote + ": message " + i + " processed "
          + confirmed.contains(i) + ", dead-lettered " + deadIds.contains(i) + ", nacked " + n)
          .isEqualTo(1);
      if (n) {
        nacked.add(i);
      }
    }
    Set<Long> ackedExpected = new HashSet<>(confirmed);
    ackedExpected.addAll(deadIds);
    assertThat(source.acks.keySet()).as(seedNote).isEqualTo(ackedExpected);
    assertThat(written).as(seedNote).doesNotHaveDuplicates().containsAll(confirmed);
    assertThat(dead).as(seedNote).extracting(l -> l.message().payload()).doesNotHaveDuplicates();
    assertThat(dead).as(seedNote).allSatisfy(l -> assertThat(l.cause()).isNotNull());

    // what each kind must have done
    Set<Long> receivedIds = new HashSet<>();
    received.forEach(r -> receivedIds.add((Long) r));
    switch (failure) {
      case TIMEOUT -> {
        assertThat(deadIds).as(seedNote).isEqualTo(select(receivedIds, FailureMatrixTest::hangs));
        assertThat(dead).as(seedNote).allSatisfy(l -> {
          assertThat(l.attempts()).isEqualTo(3);
          assertThat(l.cause()).isInstanceOf(TimeoutException.class)
              .hasMessageContaining("ran past the timeout");
        });
        assertThat(nacked).as(seedNote).isEmpty();
        if (deaf) {
          assertThat(writtenAttempt.get(DEAF)).as(seedNote + ": the deaf message's attempt")
              .isGreaterThanOrEqualTo(2);
        }
      }
      case PROCESSOR_THROWS -> {
        assertThat(deadIds).as(seedNote).isEqualTo(select(receivedIds, FailureMatrixTest::poison));
        assertThat(dead).as(seedNote).allSatisfy(l -> {
          assertThat(l.attempts()).isEqualTo(3);
          assertThat(l.cause()).isInstanceOf(IllegalStateException.class)
              .hasMessage("poison " + l.message().payload());
        });
        assertThat(nacked).as(seedNote).isEmpty();
        select(receivedIds, FailureMatrixTest::flaky).forEach(i ->
            assertThat(writtenAttempt.get(i)).as(seedNote + ": flaky " + i).isEqualTo(2));
      }
      case REDELIVER -> {
        Set<Long> expected = select(receivedIds, FailureMatrixTest::redelivered);
        assertThat(nacked).as(seedNote).isEqualTo(expected);
        expected.forEach(i -> assertThat(source.nackCauses.get(i)).as(seedNote)
            .isInstanceOf(RedeliverException.class));
        assertThat(deadIds).as(seedNote).isEmpty();
      }
      case SINK_THROWS, ASYNC_SINK_FAILS -> {
        assertThat(nacked).as(seedNote).contains(FAIL_AT);
        assertThat(source.nackCauses.get(FAIL_AT)).as(seedNote).isSameAs(diskFull);
        nacked.stream().filter(i -> i != FAIL_AT).forEach(i ->
            assertThat(source.nackCauses.get(i)).as(seedNote + ": nack of " + i)
                .isInstanceOf(CancellationException.class));
        assertThat(deadIds).as(seedNote).isEmpty();
        assertThat(receivedIds).as(seedNote + ": the source was cancelled").hasSizeLessThan(COUNT);
      }
      case ASYNC_SINK_OUT_OF_ORDER -> {
        assertThat(confirmed).as(seedNote).hasSize(COUNT);
      }
      case SOURCE_FAILS -> {
        assertThat(receivedIds).as(seedNote)
            .isEqualTo(select(LongStream.range(0, FAIL_AT).boxed().toList(), i -> true));
        assertThat(confirmed).as(seedNote).isEqualTo(receivedIds);
      }
      default -> throw new AssertionError(failure);
    }
    if (!failure.failsThePipeline()) {
      assertThat(receivedIds).as(seedNote).hasSize(COUNT);
    }

    // the mode's ordering, for what was written
    List<Long> order = List.copyOf(written);
    if (ordering == Ordering.ORDERED) {
      assertThat(order).as(seedNote).isSorted();
    } else if (ordering == Ordering.BY_KEY) {
      for (int k = 0; k < KEYS; k++) {
        int key = k;
        assertThat(order.stream().filter(i -> i % KEYS == key).toList())
            .as(seedNote + ", key " + k).isSorted();
      }
    }

    // the statistics: what the test saw
    long failedAttempts = dead.stream().mapToLong(DeadLetter::attempts).sum()
        + writtenAttempt.values().stream().mapToLong(a -> a - 1).sum();
    assertThat(stats.received()).as(seedNote + ": received").isEqualTo(receivedIds.size());
    assertThat(stats.completed()).as(seedNote + ": completed").isEqualTo(confirmed.size());
    assertThat(stats.deadLettered()).as(seedNote + ": dead-lettered").isEqualTo(dead.size());
    assertThat(stats.nacked()).as(seedNote + ": nacked").isEqualTo(nacked.size());
    assertThat(stats.failed()).as(seedNote + ": failed attempts").isEqualTo(failedAttempts);
    assertThat(stats.retried()).as(seedNote + ": retried")
        .isEqualTo(failedAttempts - dead.size());
    assertThat(stats.timedOut()).as(seedNote + ": timed out")
        .isEqualTo(failure == Failure.TIMEOUT ? failedAttempts : 0);
    assertThat(stats.inFlight()).as(seedNote).isZero();
    assertThat(stats.queued()).as(seedNote).isZero();
    assertThat(stats.workers()).as(seedNote).isBetween(workers.min(), workers.max());
  }

  /** One attempt at message {@code i} under {@code failure}. */
  private static Done attempt(Failure failure, boolean deaf, long i, int attempt,
      int[] workMicros, CountDownLatch deafRetryStarted) throws Exception {
    switch (failure) {
      case TIMEOUT -> {
        if (hangs(i)) {
          new CountDownLatch(1).await();        // until the timeout interrupts it
        }
        if (deaf && i == DEAF) {
          if (attempt == 1) {
            awaitIgnoringInterrupts(deafRetryStarted);
          } else {
            deafRetryStarted.countDown();
          }
        }
      }
      case PROCESSOR_THROWS -> {
        if (poison(i)) {
          throw new IllegalStateException("poison " + i);
        }
        if (flaky(i) && attempt == 1) {
          throw new IOException("flaky " + i);
        }
      }
      case REDELIVER -> {
        if (redelivered(i)) {
          throw new RedeliverException("hand " + i + " back to the source");
        }
      }
      default -> { }
    }
    spin(workMicros[(int) i]);
    return new Done(i, attempt);
  }

  /** A task deaf to interruption: it goes on waiting (without burning a core) when interrupted. */
  private static void awaitIgnoringInterrupts(CountDownLatch latch) {
    for (;;) {
      try {
        latch.await();
        return;
      } catch (InterruptedException ignored) {
        // deaf by design
      }
    }
  }

  /**
   * The asynchronous sink's other thread: completes whatever writes are waiting, in a shuffled
   * order, failing {@code FAIL_AT}'s with {@code failure} if given; ends at index -1.
   */
  private static void completeOutOfOrder(LinkedBlockingQueue<Pending> pending, Random shuffle,
      Set<Long> confirmed, RuntimeException failure) {
    try {
      for (;;) {
        List<Pending> batch = new ArrayList<>();
        batch.add(pending.take());
        pending.drainTo(batch);
        Collections.shuffle(batch, shuffle);
        for (Pending p : batch) {
          if (p.index() < 0) {
            return;
          }
          if (failure != null && p.index() == FAIL_AT) {
            p.future().completeExceptionally(failure);
          } else {
            confirmed.add(p.index());           // before the completion: the ack follows it
            p.future().complete(null);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The source, recording each message it hands to the pipeline. */
  private static Flow.Publisher<Message<Long>> recording(Flow.Publisher<Message<Long>> source,
      Set<Object> received) {
    return subscriber -> source.subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscriber.onSubscribe(subscription);
      }

      @Override
      public void onNext(Message<Long> message) {
        received.add(message.payload());
        subscriber.onNext(message);
      }

      @Override
      public void onError(Throwable error) {
        subscriber.onError(error);
      }

      @Override
      public void onComplete() {
        subscriber.onComplete();
      }
    });
  }

  private static Set<Long> select(Iterable<Long> ids, java.util.function.LongPredicate which) {
    Set<Long> chosen = new HashSet<>();
    for (long i : ids) {
      if (which.test(i)) {
        chosen.add(i);
      }
    }
    return chosen;
  }

  private static Set<String> liveThreads(String prefix) {
    Set<String> names = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(prefix)
          && !t.getName().endsWith("-test-completer")) {
        names.add(t.getName());
      }
    }
    return names;
  }

  /** Busy work of about {@code micros} microseconds, so that threads really overlap. */
  private static void spin(int micros) {
    long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }
}
