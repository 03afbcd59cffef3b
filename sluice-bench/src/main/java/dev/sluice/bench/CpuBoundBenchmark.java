package dev.sluice.bench;

import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@value #TASKS} CPU-bound tasks of about 1 ms each on two workers: through Sluice (built-in
 * iterable source, default {@code maxInFlight}) and on two bare platform threads running half
 * the tasks each. Scores are microseconds per task; the two-core ideal is 1 ms / 2 = 500 µs per
 * task, so {@code 500 / score} is the fraction of the ideal reached.
 *
 * <p>Each measurement is one shot of all the tasks (about 0.5 s), twenty shots after five of
 * warm-up, so that besides the mean JMH reports the best shot ({@code p0.00}): on a shared
 * two-core machine any other process steals a core for part of some shots, and the best shot is
 * the one closest to an idle machine. Compare Sluice with the bare threads shot for shot.
 *
 * <p>{@code work}: {@code calibrated} runs a fixed number of xorshift rounds that took 1 ms on
 * one core when the trial started, so CPU stolen by any other thread (the source's, the pipeline
 * timer's, another process's) shows up as lost time; {@code deadline} spins until 1 ms of wall
 * clock has passed, so each task takes 1 ms however often it is preempted, and only the time
 * between tasks counts against the engine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5)
@Measurement(iterations = 20)
public class CpuBoundBenchmark {

  static final int TASKS = 1000;
  private static final long TASK_NANOS = 1_000_000;

  @Param({"calibrated", "deadline"})
  public String work;

  private List<Integer> payloads;
  private long iterations;

  @Setup
  public void setUp() {
    payloads = Workloads.asList(Workloads.payloads(TASKS));
    iterations = Workloads.calibrate(TASK_NANOS);
  }

  private long task(int seed) {
    return "deadline".equals(work)
        ? Workloads.spinFor(TASK_NANOS, seed)
        : Workloads.spin(iterations, seed);
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public Stats sluice() throws InterruptedException {
    try (Pipeline pipeline = Sluice.from(Sources.fromIterable(payloads))
        .name("bench")
        .drainTimeout(Duration.ofSeconds(1))
        .workers(Workloads.WORKERS)
        .process(this::task)
        .to(Sinks.discard())
        .start()) {
      return Workloads.await(pipeline, TASKS);
    }
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public long bareThreads() throws InterruptedException {
    long[] results = new long[Workloads.WORKERS];
    Thread[] threads = new Thread[Workloads.WORKERS];
    int share = TASKS / Workloads.WORKERS;
    for (int w = 0; w < threads.length; w++) {
      int worker = w;
      threads[w] = new Thread(() -> {
        long x = 0;
        for (int i = worker * share; i < (worker + 1) * share; i++) {
          x ^= task(payloads.get(i));
        }
        results[worker] = x;
      }, "bare-worker-" + (w + 1));
      threads[w].start();
    }
    long x = 0;
    for (int w = 0; w < threads.length; w++) {
      threads[w].join();
      x ^= results[w];
    }
    return x;
  }
}
