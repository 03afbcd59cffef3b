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
 * Sluice's dispatch cost: {@value #EVENTS} pre-generated events through a no-op processor to
 * {@code Sinks.discard()}, with acknowledgement and statistics on (the defaults), two workers,
 * per ordering mode. Each invocation starts a pipeline, waits for it to complete and checks that
 * every event completed; scores are events per second.
 *
 * <p>{@code source}: {@code iterable} is the built-in {@code Sources.fromIterable} over an
 * array-backed list; {@code array} is this module's {@link ArrayPublisher}, which does the least
 * a source can. If the two score alike, the engine, not the source, is the bottleneck.
 *
 * <p>{@code maxInFlight}: 1024 (fixed), or {@code default} (the builder's own: from four per
 * worker, at least 32, widening up to 1024 while attempts are short).
 *
 * <p>Compare with {@link BaselineBenchmark}, run in the same JMH invocation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DispatchBenchmark {

  static final int EVENTS = 1_000_000;

  /** Distinct keys for BY_KEY; a power of two. */
  static final int KEYS = 64;

  @Param({"UNORDERED", "ORDERED", "BY_KEY"})
  public Ordering ordering;

  @Param({"1024", "default"})
  public String maxInFlight;

  @Param({"iterable", "array"})
  public String source;

  private Integer[] payloads;

  @Setup
  public void setUp() {
    payloads = Workloads.payloads(EVENTS);
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public Stats noop() throws InterruptedException {
    Flow.Publisher<Message<Integer>> publisher = Workloads.source(source, payloads);
    PipelineBuilder<Integer, Integer> builder = Sluice.from(publisher)
        .name("bench")
        .drainTimeout(Duration.ofSeconds(1))
        .workers(Workloads.WORKERS);
    if (!"default".equals(maxInFlight)) {
      builder.maxInFlight(Integer.parseInt(maxInFlight));
    }
    if (ordering == Ordering.BY_KEY) {
      // Integer.valueOf(0..63) is cached: the key function allocates nothing.
      builder.orderByKey(message -> message.payload() & (KEYS - 1));
    } else {
      builder.ordering(ordering);
    }
    try (Pipeline pipeline = builder
        .process(Workloads::noop)
        .to(Sinks.discard())
        .start()) {
      return Workloads.await(pipeline, EVENTS);
    }
  }
}
