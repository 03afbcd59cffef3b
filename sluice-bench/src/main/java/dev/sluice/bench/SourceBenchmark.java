package dev.sluice.bench;

import dev.sluice.Message;
import java.util.concurrent.CountDownLatch;
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
 * The ceiling a source sets: {@value DispatchBenchmark#EVENTS} messages from the built-in
 * {@code Sources.fromIterable} or this module's {@link ArrayPublisher} into a subscriber that
 * only counts, requesting {@code batch} up front and topping up by half a batch each time half
 * is used (a pipeline with {@code maxInFlight = batch} whose work took no time would ask like
 * this). Everything runs on the source's thread, with no hand-off to a worker, so this is an
 * upper bound: no pipeline can run faster than its source does here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SourceBenchmark {

  private static final int EVENTS = DispatchBenchmark.EVENTS;

  @Param({"iterable", "array"})
  public String source;

  @Param({"1024", "32"})
  public int batch;

  private Integer[] payloads;

  @Setup
  public void setUp() {
    payloads = Workloads.payloads(EVENTS);
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long drain() throws InterruptedException {
    Flow.Publisher<Message<Integer>> publisher = Workloads.source(source, payloads);
    Counter counter = new Counter(batch);
    publisher.subscribe(counter);
    if (!counter.done.await(1, TimeUnit.MINUTES) || counter.error != null
        || counter.count != EVENTS) {
      throw new IllegalStateException("expected " + EVENTS + " but counted " + counter.count,
          counter.error);
    }
    return counter.count;
  }

  /** Counts messages; every signal comes from the publisher's one emitter thread. */
  private static final class Counter implements Flow.Subscriber<Message<Integer>> {
    private final int batch;
    private final int topUp;
    final CountDownLatch done = new CountDownLatch(1);
    private Flow.Subscription subscription;
    private int sinceTopUp;
    volatile long count;
    volatile Throwable error;
    private long local;
    /** Stored so the message escapes and is really allocated, as it is in a pipeline. */
    private Message<Integer> last;

    Counter(int batch) {
      this.batch = batch;
      this.topUp = Math.max(1, batch / 2);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(batch);
    }

    @Override
    public void onNext(Message<Integer> item) {
      last = item;
      local++;
      if (++sinceTopUp == topUp) {
        sinceTopUp = 0;
        subscription.request(topUp);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      error = throwable;
      count = local;
      done.countDown();
    }

    @Override
    public void onComplete() {
      count = local;
      done.countDown();
    }
  }
}
