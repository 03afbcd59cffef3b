package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Sink}'s promise to its implementations: calls never overlap, and each happens-before
 * the next, in every ordering mode, with many workers finishing at once, sync and async sinks.
 */
class SinkCallsNeverOverlapTest {

  /** Counts in plain fields: a missing happens-before edge would lose increments. */
  private static final class CheckingSink implements Sink<Integer> {
    final AtomicBoolean inside = new AtomicBoolean();
    final AtomicInteger overlaps = new AtomicInteger();
    final boolean async;
    int writes;                          // plain on purpose
    final List<Integer> seen = new ArrayList<>();   // plain on purpose

    CheckingSink(boolean async) {
      this.async = async;
    }

    @Override
    public CompletionStage<Void> write(Integer result, Message<?> source) {
      if (!inside.compareAndSet(false, true)) {
        overlaps.incrementAndGet();
      }
      writes++;
      seen.add(result);
      inside.set(false);
      return async ? CompletableFuture.runAsync(() -> { }) : Sink.DONE;
    }
  }

  @ParameterizedTest
  @EnumSource(Ordering.class)
  void manyWorkersFinishingAtOnceNeverWriteTogether(Ordering ordering) throws Exception {
    for (boolean async : new boolean[] {false, true}) {
      CheckingSink sink = new CheckingSink(async);
      int n = 5_000;
      PipelineBuilder<Integer, Integer> builder = Sluice.from(
          Sources.fromIterable(IntStream.range(0, n).boxed().toList())).workers(8);
      if (ordering == Ordering.BY_KEY) {
        builder.orderByKey(m -> m.payload() % 16);
      } else {
        builder.ordering(ordering);
      }
      Stats stats = builder.process(x -> x).to(sink).start().completion()
          .get(1, TimeUnit.MINUTES);
      assertThat(stats.completed()).as("async=%s", async).isEqualTo(n);
      assertThat(sink.overlaps.get()).as("overlapping calls, async=%s", async).isZero();
      assertThat(sink.writes).as("writes seen through plain fields, async=%s", async)
          .isEqualTo(n);
      assertThat(sink.seen).as("async=%s", async).hasSize(n)
          .containsExactlyInAnyOrderElementsOf(IntStream.range(0, n).boxed().toList());
      if (ordering == Ordering.ORDERED) {
        assertThat(sink.seen).isSorted();
      }
    }
  }
}
