package dev.sluice.bench;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What the same no-op work costs without Sluice: the same {@value DispatchBenchmark#EVENTS}
 * payloads, two worker threads, a bound of 1024 (or Reactor's own prefetch), events per second.
 * None of these acknowledges anything or keeps statistics, so they are the floor Sluice's
 * dispatch is measured against, not its equal in features.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BaselineBenchmark {

  private static final int EVENTS = DispatchBenchmark.EVENTS;
  private static final int QUEUE = 1024;

  private Integer[] payloads;
  private List<Integer> list;

  @Setup
  public void setUp() {
    payloads = Workloads.payloads(EVENTS);
    list = Workloads.asList(payloads);
  }

  /**
   * A hand-written pool: {@code ThreadPoolExecutor} with two threads and an
   * {@code ArrayBlockingQueue(1024)}; this (the benchmark's) thread is the producer and blocks
   * on {@code put} when the queue is full; completions are counted in a {@code LongAdder}.
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long threadPoolExecutor() throws InterruptedException {
    LongAdder done = new LongAdder();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(Workloads.WORKERS, Workloads.WORKERS,
        0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
        (task, executor) -> {
          try {
            executor.getQueue().put(task);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException(e);
          }
        });
    pool.prestartAllCoreThreads();
    for (Integer payload : payloads) {
      pool.execute(() -> {
        Workloads.noop(payload);
        done.increment();
      });
    }
    pool.shutdown();
    if (!pool.awaitTermination(1, TimeUnit.MINUTES) || done.sum() != EVENTS) {
      throw new IllegalStateException("expected " + EVENTS + " done but was " + done.sum());
    }
    return done.sum();
  }

  /** {@code Flux.fromIterable(...).parallel(2).runOn(Schedulers.parallel()).map(noop)}. */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public Integer reactorParallel() {
    return Flux.fromIterable(list)
        .parallel(Workloads.WORKERS)
        .runOn(Schedulers.parallel())
        .map(Workloads::noop)
        .sequential()
        .blockLast();
  }

  /**
   * {@code Flux.fromIterable(...).flatMap(x -> Mono.fromCallable(noop).subscribeOn(parallel()),
   * 256)}: one scheduled task per event, the way a Reactor user offloads blocking work.
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public Integer reactorFlatMap() {
    return Flux.fromIterable(list)
        .flatMap(x -> Mono.fromCallable(() -> Workloads.noop(x))
            .subscribeOn(Schedulers.parallel()), 256)
        .blockLast();
  }
}
