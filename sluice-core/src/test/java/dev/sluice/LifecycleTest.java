package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Completion, drain, close and failures: nothing lost, no thread left behind. */
class LifecycleTest {

  private static Set<String> liveThreadNames(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName).filter(n -> n.startsWith(prefix)).collect(Collectors.toSet());
  }

  @Test
  void whenTheSourceCompletesEverythingFinishesAndNoPipelineThreadRemains() throws Exception {
    List<Long> output = new CopyOnWriteArrayList<>();
    CountDownLatch counted = new CountDownLatch(1);
    Pipeline pipeline = Sluice.from(TrackedSource.ofLongs(100).publisher()).workers(4)
        .name("ends").process(i -> {
          counted.await();
          return i;
        }).to(Sinks.collection(output)).start();
    assertThat(liveThreadNames("ends-")).hasSize(5);     // four workers and the timer
    counted.countDown();

    Stats stats = pipeline.awaitCompletion();

    assertThat(output).hasSize(100);
    assertThat(stats.completed()).isEqualTo(100);
    assertThat(pipeline.state()).isEqualTo(Pipeline.State.COMPLETED);
    assertThat(liveThreadNames("ends-")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Ordering.class)
  void drainStopsTakingMessagesFinishesThoseReceivedAndLosesNothing(Ordering ordering)
      throws Exception {
    TrackedSource<Long> source = TrackedSource.ofLongs(1_000_000);
    CountDownLatch started = new CountDownLatch(20);
    List<Long> output = new CopyOnWriteArrayList<>();
    Pipeline pipeline = Sluice.from(source.publisher()).workers(3).maxInFlight(16)
        .ordering(ordering).name("drain-" + ordering)
        .process(i -> {
          started.countDown();
          Thread.sleep(1);
          return i;
        }).to(Sinks.collection(output)).start();
    started.await();

    DrainResult result = pipeline.drain(Duration.ofSeconds(30));

    assertThat(result.clean()).isTrue();
    assertThat(result.abandoned()).isZero();
    assertThat(pipeline.state()).isEqualTo(Pipeline.State.COMPLETED);
    // the source may still be inside one last onNext when the drain cancels it (the Flow rules
    // allow it): wait for its thread to end, then that message counts as received and nacked
    await().atMost(Duration.ofSeconds(5)).until(() -> liveThreadNames("drain-" + ordering).isEmpty()
        && liveThreadNames("test-source").isEmpty());
    // (the drain's final figures are taken when everything received so far has settled, so
    // that last message, nacked after them, may be missing from them: at most one)
    Stats stats = result.stats();
    assertThat(stats.received()).isLessThan(1_000_000);
    assertThat(source.delivered.get() - stats.received()).isBetween(0L, 1L);
    assertThat(stats.completed() + stats.nacked()).isEqualTo(stats.received());
    assertThat(output).hasSize((int) stats.completed());
    source.assertEachSettledOnce();
  }

  @ParameterizedTest
  @EnumSource(Ordering.class)
  void closeWithAShortDrainTimeoutNacksWhatItCouldNotFinishAndStillReturns(Ordering ordering)
      throws Exception {
    TrackedSource<Long> source = TrackedSource.ofLongs(1_000);
    CountDownLatch running = new CountDownLatch(2);
    AtomicInteger interrupted = new AtomicInteger();
    Pipeline pipeline = Sluice.from(source.publisher()).workers(2).maxInFlight(10)
        .ordering(ordering).name("close-" + ordering)
        .drainTimeout(Duration.ofMillis(50)).interruptGrace(Duration.ofSeconds(2))
        .process(i -> {
          running.countDown();
          try {
            new CountDownLatch(1).await();    // blocks until interrupted
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
          return i;
        }).start();
    running.await();
    await().until(() -> pipeline.stats().received() == 10);

    pipeline.close();

    DrainResult result = pipeline.drain(Duration.ZERO);
    assertThat(result.clean()).isFalse();
    assertThat(result.abandoned()).isEqualTo(10);
    assertThat(result.stuckWorkers()).isEmpty();
    assertThat(interrupted).hasValue(2);
    assertThat(source.nacks).hasSize(10);
    assertThat(source.acks).isEmpty();
    source.assertEachSettledOnce();
    assertThat(pipeline.state()).isEqualTo(Pipeline.State.COMPLETED);
    await().atMost(Duration.ofSeconds(5)).until(() -> liveThreadNames("close-" + ordering).isEmpty());
  }

  @Test
  void aSourceErrorFailsThePipelineWithItsCauseAfterFinishingWhatWasReceived() throws Exception {
    IOException boom = new IOException("connection reset");
    List<Integer> output = new CopyOnWriteArrayList<>();
    Flow.Publisher<Message<Integer>> failing = subscriber -> subscriber.onSubscribe(
        new Flow.Subscription() {
          private boolean done;

          @Override
          public void request(long n) {
            if (!done) {
              done = true;
              subscriber.onNext(Message.of(1));
              subscriber.onNext(Message.of(2));
              subscriber.onError(boom);
            }
          }

          @Override
          public void cancel() {
          }
        });
    Pipeline pipeline = Sluice.from(failing).workers(2).process(i -> {
      Thread.sleep(20);
      return i;
    }).to(Sinks.collection(output)).start();

    assertThatThrownBy(pipeline::awaitCompletion).isInstanceOf(PipelineException.class)
        .hasMessageContaining("source failed").hasCause(boom);
    assertThat(output).containsExactlyInAnyOrder(1, 2);
    assertThat(pipeline.state()).isEqualTo(Pipeline.State.FAILED);
  }

  @Test
  void aSinkErrorNacksTheMessageAndFailsThePipelineWithThatCause() throws Exception {
    TrackedSource<Long> source = TrackedSource.ofLongs(10_000);
    IOException diskFull = new IOException("disk full");
    Pipeline pipeline = Sluice.from(source.publisher()).workers(2).maxInFlight(8)
        .process(i -> i)
        .to((result, message) -> result == 5 ? CompletableFuture.failedFuture(diskFull) : Sink.DONE)
        .start();

    assertThatThrownBy(pipeline::awaitCompletion).isInstanceOf(PipelineException.class)
        .hasMessageContaining("sink failed").hasCause(diskFull);
    assertThat(source.nacks).containsKey(5L);
    assertThat(source.delivered.get()).isLessThan(10_000);
    source.assertEachSettledOnce();
  }

  @Test
  void anAsynchronousSinkDelaysTheAckUntilItsWriteCompletes() throws Exception {
    TrackedSource<Long> source = TrackedSource.ofLongs(3);
    CompletableFuture<Void> write = new CompletableFuture<>();
    Pipeline pipeline = Sluice.from(source.publisher()).workers(1).process(i -> i)
        .to((result, message) -> result == 1 ? write : Sink.DONE).start();
    await().until(() -> source.acks.size() == 2);
    assertThat(source.acks).doesNotContainKey(1L);

    write.complete(null);

    pipeline.awaitCompletion();
    assertThat(source.acks).containsKeys(0L, 1L, 2L);
  }

  @Test
  void bothSinksAreFlushedAndClosedOnceWhenThePipelineEnds() throws Exception {
    AtomicInteger flushed = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    Sink<Long> sink = new Sink<>() {
      @Override
      public java.util.concurrent.CompletionStage<Void> write(Long result, Message<?> source) {
        return DONE;
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> flush() {
        flushed.incrementAndGet();
        return DONE;
      }

      @Override
      public void close() {
        closed.incrementAndGet();
      }
    };
    Pipeline pipeline = Sluice.from(TrackedSource.ofLongs(5).publisher()).process(i -> i).to(sink)
        .start();
    pipeline.awaitCompletion();
    pipeline.close();
    assertThat(flushed).hasValue(1);
    assertThat(closed).hasValue(1);
  }
}
