package dev.sluice.bench;

import dev.sluice.Message;
import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.PipelineBuilder;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.concurrent.Flow;
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
 * {@link DispatchBenchmark#noop}'s pipeline (no-op processor, 2 workers, default window, the
 * minimal {@link ArrayPublisher}) with the engine's work queue chosen by {@code queue}: the
 * lock-free {@code TaskQueue} or the ArrayBlockingQueue-style {@code LockingTaskQueue}, through
 * the engine's benchmark seam (the system property {@code sluice.internal.workQueue}, read when
 * a pipeline starts). Scores are events per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WorkQueueDispatchBenchmark {

  static final int EVENTS = 250_000;

  @Param({"lockfree", "locking"})
  public String queue;

  @Param({"UNORDERED", "ORDERED", "BY_KEY"})
  public Ordering ordering;

  private Integer[] payloads;

  @Setup
  public void setUp() {
    System.setProperty("sluice.internal.workQueue", queue);
    payloads = Workloads.payloads(EVENTS);
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public Stats noop() throws InterruptedException {
    Flow.Publisher<Message<Integer>> publisher = Workloads.source("array", payloads);
    PipelineBuilder<Integer, Integer> builder = Sluice.from(publisher)
        .name("bench")
        .drainTimeout(Duration.ofSeconds(1))
        .workers(Workloads.WORKERS);
    if (ordering == Ordering.BY_KEY) {
      builder.orderByKey(message -> message.payload() & (DispatchBenchmark.KEYS - 1));
    } else {
      builder.ordering(ordering);
    }
    try (Pipeline pipeline = builder.process(Workloads::noop).to(Sinks.discard()).start()) {
      return Workloads.await(pipeline, EVENTS);
    }
  }
}
