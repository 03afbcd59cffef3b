package dev.sluice.internal;

import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's {@link TaskQueue} (lock-free, parking workers) against {@link LockingTaskQueue}
 * (ArrayBlockingQueue's one lock and one condition, with close and retire), the queue alone:
 * {@code producers} threads offer {@value #ELEMENTS} elements in all to {@code consumers}
 * threads parked in {@code take}, under a window of {@code window} elements in flight (a
 * {@link Semaphore}: a producer acquires a permit before its offer, a consumer releases it
 * after its take), as the engine's in-flight permits bound the real queue. The same window
 * costs both queues the same. Scores are elements per second.
 *
 * <p>Lives in {@code dev.sluice.internal} of this module to reach the package-private queues
 * (the benchmarks run from the classpath, where the package is one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WorkQueueBenchmark {

  static final int ELEMENTS = 200_000;
  private static final Object ELEMENT = new Object();

  @Param({"lockfree", "locking"})
  public String queue;

  /** Producer threads; the benchmark's own thread only starts them and waits. */
  @Param({"1", "2"})
  public int producers;

  @Param({"2", "4"})
  public int consumers;

  /** Elements in flight at most: 32 is the engine's default window for 2 workers. */
  @Param({"32", "1024"})
  public int window;

  private WorkQueue<Object> work;
  private Semaphore permits;
  private Thread[] consumerThreads;
  private Thread[] producerThreads;
  private final Phaser round = new Phaser(1);

  @Setup(Level.Trial)
  public void setUp() {
    work = "locking".equals(queue) ? new LockingTaskQueue<>(window) : new TaskQueue<>(window);
    permits = new Semaphore(window);
    consumerThreads = new Thread[consumers];
    TaskQueue.Parker[] parkers = new TaskQueue.Parker[consumers];
    for (int i = 0; i < consumers; i++) {
      TaskQueue.Parker parker = new TaskQueue.Parker(null);
      Thread thread = new Thread(() -> {
        while (work.take(parker) != null) {
          permits.release();
        }
      }, "consumer-" + i);
      thread.setDaemon(true);
      parker.thread = thread;
      parkers[i] = parker;
      consumerThreads[i] = thread;
    }
    work.setParkers(parkers);
    for (Thread thread : consumerThreads) {
      thread.start();
    }
    producerThreads = new Thread[producers];
    round.bulkRegister(producers);
    for (int p = 0; p < producers; p++) {
      int share = ELEMENTS / producers + (p < ELEMENTS % producers ? 1 : 0);
      Thread thread = new Thread(() -> produceRounds(share), "producer-" + p);
      thread.setDaemon(true);
      producerThreads[p] = thread;
      thread.start();
    }
  }

  /** Each round: wait for the start, offer {@code share} elements, arrive at the end. */
  private void produceRounds(int share) {
    while (round.arriveAndAwaitAdvance() >= 0) {     // the start of a round (negative: over)
      for (int i = 0; i < share; i++) {
        permits.acquireUninterruptibly();
        work.offer(ELEMENT);
      }
      round.arriveAndAwaitAdvance();                  // the end of the offers
    }
  }

  /** Moves {@value #ELEMENTS} elements through the queue; returns once all were taken. */
  @Benchmark
  @OperationsPerInvocation(ELEMENTS)
  public int transfer() {
    round.arriveAndAwaitAdvance();      // start
    round.arriveAndAwaitAdvance();      // every element offered
    permits.acquireUninterruptibly(window);   // every element taken
    permits.release(window);
    return work.size();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    round.forceTermination();
    work.close();
    for (Thread thread : consumerThreads) {
      thread.join(10_000);
      if (thread.isAlive()) {
        throw new IllegalStateException(thread.getName() + " did not leave take() after close()");
      }
    }
  }
}
