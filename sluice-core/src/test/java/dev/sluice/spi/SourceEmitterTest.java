package dev.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Acknowledger;
import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SourceEmitterTest {

  private final Set<Integer> nacked = ConcurrentHashMap.newKeySet();

  private Message<Integer> message(int i) {
    return Message.of(i, new Acknowledger() {
      @Override public void ack() { }
      @Override public void nack(Throwable cause) { nacked.add(i); }
    });
  }

  private static <T> SourceEmitter<T> emitter(RecordingSubscriber<T> s, int capacity,
      OverflowPolicy policy) {
    return SourceEmitter.builder(s).capacity(capacity).overflow(policy).start();
  }

  @Test
  void deliversAtOnceWhenAskedAndBuffersOtherwise() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    SourceEmitter<Integer> e = emitter(s, 4, OverflowPolicy.BLOCK);
    s.subscription.request(1);
    assertThat(e.tryEmit(message(1))).isEqualTo(EmitResult.OK);
    assertThat(e.tryEmit(message(2))).isEqualTo(EmitResult.OK);
    assertThat(s.received).containsExactly(1);
    assertThat(e.buffered()).isEqualTo(1);
    s.subscription.request(5);
    assertThat(s.received).containsExactly(1, 2);
    assertThat(e.requested()).isEqualTo(4);
  }

  @Test
  void blockAnswersFullAndLeavesTheMessageWithTheCaller() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    SourceEmitter<Integer> e = emitter(s, 2, OverflowPolicy.BLOCK);
    e.tryEmit(message(1));
    e.tryEmit(message(2));
    assertThat(e.tryEmit(message(3))).isEqualTo(EmitResult.FULL);
    assertThat(nacked).isEmpty();
    assertThat(e.dropped()).isZero();
    s.subscription.request(3);
    assertThat(s.received).containsExactly(1, 2);
  }

  @Test
  void dropNewestDiscardsAndNacksTheArrival() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    SourceEmitter<Integer> e = emitter(s, 2, OverflowPolicy.DROP_NEWEST);
    e.tryEmit(message(1));
    e.tryEmit(message(2));
    assertThat(e.tryEmit(message(3))).isEqualTo(EmitResult.DROPPED);
    s.subscription.request(3);
    assertThat(s.received).containsExactly(1, 2);
    assertThat(nacked).containsExactly(3);
    assertThat(e.dropped()).isEqualTo(1);
  }

  @Test
  void dropOldestDiscardsAndNacksTheOldestBuffered() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    SourceEmitter<Integer> e = emitter(s, 2, OverflowPolicy.DROP_OLDEST);
    e.tryEmit(message(1));
    e.tryEmit(message(2));
    assertThat(e.tryEmit(message(3))).isEqualTo(EmitResult.OK);
    s.subscription.request(3);
    assertThat(s.received).containsExactly(2, 3);
    assertThat(nacked).containsExactly(1);
    assertThat(e.bufferedPeak()).isEqualTo(2);
  }

  @Test
  void failOverflowDiscardsEverythingFailsTheStreamAndCancelsTheSource() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    AtomicReference<Throwable> cancelledWith = new AtomicReference<>();
    SourceEmitter<Integer> e = SourceEmitter.builder(s).capacity(2)
        .overflow(OverflowPolicy.FAIL).onCancel(cancelledWith::set).start();
    e.tryEmit(message(1));
    e.tryEmit(message(2));
    assertThat(e.tryEmit(message(3))).isEqualTo(EmitResult.OVERFLOWED);
    assertThat(s.error).isInstanceOf(SourceOverflowException.class)
        .hasMessageContaining("buffer of 2 messages overflowed");
    assertThat(cancelledWith.get()).isSameAs(s.error);
    assertThat(nacked).containsExactlyInAnyOrder(1, 2, 3);
    assertThat(e.tryEmit(message(4))).isEqualTo(EmitResult.TERMINATED);
    assertThat(s.received).isEmpty();
  }

  @Test
  void completeAndFailWaitForTheBufferToBeDelivered() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    SourceEmitter<Integer> e = emitter(s, 4, OverflowPolicy.BLOCK);
    e.tryEmit(message(1));
    assertThat(e.complete()).isTrue();
    assertThat(e.fail(new RuntimeException("late"))).isFalse();
    assertThat(e.tryEmit(message(2))).isEqualTo(EmitResult.TERMINATED);
    assertThat(s.completed).isFalse();
    s.subscription.request(1);
    assertThat(s.received).containsExactly(1);
    assertThat(s.completed).isTrue();
    assertThat(s.error).isNull();

    RecordingSubscriber<Integer> f = new RecordingSubscriber<>();
    SourceEmitter<Integer> failing = emitter(f, 4, OverflowPolicy.BLOCK);
    failing.tryEmit(message(1));
    failing.fail(new IllegalStateException("connection lost"));
    assertThat(f.error).isNull();
    f.subscription.request(1);
    assertThat(f.received).containsExactly(1);
    assertThat(f.error).hasMessage("connection lost");
  }

  @Test
  void aCancelNacksWhatIsBufferedStopsTheSourceOnceAndRefusesLaterEmits() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    List<Throwable> cancels = new CopyOnWriteArrayList<>();
    SourceEmitter<Integer> e = SourceEmitter.builder(s).capacity(4).onCancel(cancels::add)
        .start();
    e.tryEmit(message(1));
    e.tryEmit(message(2));
    s.subscription.cancel();
    s.subscription.cancel();
    assertThat(nacked).containsExactlyInAnyOrder(1, 2);
    assertThat(cancels).hasSize(1);
    assertThat(e.isCancelled()).isTrue();
    assertThat(e.tryEmit(message(3))).isEqualTo(EmitResult.CANCELLED);
    assertThat(s.error).isNull();
    assertThat(s.completed).isFalse();
  }

  @Test
  void aNonPositiveRequestFailsTheStreamPerRule39() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    SourceEmitter<Integer> e = emitter(s, 4, OverflowPolicy.BLOCK);
    s.subscription.request(0);
    assertThat(s.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
    assertThat(e.tryEmit(message(1))).isEqualTo(EmitResult.CANCELLED);
  }

  @Test
  void aSourceThatReadsOnDemandIsAskedForNoMoreThanDemandAndCapacity() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    AtomicLong asked = new AtomicLong();
    List<Long> requests = new ArrayList<>();
    SourceEmitter<Integer> e = SourceEmitter.builder(s).capacity(8)
        .onRequest(n -> {
          requests.add(n);
          asked.addAndGet(n);
          return true;
        }).start();
    assertThat(asked.get()).isZero();
    s.subscription.request(5);
    assertThat(asked.get()).isEqualTo(5);
    s.subscription.request(100);
    assertThat(asked.get()).isEqualTo(8);       // capped at the capacity
    for (int i = 0; i < 8; i++) {
      assertThat(e.tryEmit(message(i))).isEqualTo(EmitResult.OK);
    }
    assertThat(s.received).hasSize(8);
    assertThat(asked.get()).isEqualTo(16);      // asked again as the messages went through
    assertThat(requests).allSatisfy(n -> assertThat(n).isPositive());
  }

  @Test
  void anUpstreamThatCannotBeAskedIsAskedAgainAfterAReset() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    AtomicReference<Boolean> connected = new AtomicReference<>(false);
    AtomicLong asked = new AtomicLong();
    SourceEmitter<Integer> e = SourceEmitter.builder(s).capacity(8)
        .onRequest(n -> {
          if (!connected.get()) {
            return false;
          }
          asked.addAndGet(n);
          return true;
        }).start();
    s.subscription.request(3);
    assertThat(asked.get()).isZero();
    e.upstreamReset();
    connected.set(true);
    e.upstreamReady();
    assertThat(asked.get()).isEqualTo(3);
  }

  @Test
  void aSourceMayEmitFromInsideOnRequest() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    AtomicReference<SourceEmitter<Integer>> self = new AtomicReference<>();
    AtomicLong next = new AtomicLong();
    SourceEmitter<Integer> e = SourceEmitter.builder(s).capacity(4)
        .onRequest(n -> {
          for (long i = 0; i < n && next.get() < 10; i++) {
            self.get().tryEmit(message((int) next.getAndIncrement()));
          }
          if (next.get() == 10) {
            self.get().complete();
          }
          return true;
        }).start();
    self.set(e);
    s.subscription.request(Long.MAX_VALUE);
    assertThat(s.received).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(s.completed).isTrue();
  }

  @Test
  void emitWaitsForRoomWhateverThePolicy() throws Exception {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    SourceEmitter<Integer> e = emitter(s, 1, OverflowPolicy.DROP_NEWEST);
    e.tryEmit(message(1));
    CountDownLatch emitted = new CountDownLatch(1);
    Thread producer = new Thread(() -> {
      try {
        e.emit(message(2));
        emitted.countDown();
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    });
    producer.start();
    assertThat(emitted.await(50, TimeUnit.MILLISECONDS)).isFalse();
    s.subscription.request(2);
    assertThat(emitted.await(10, TimeUnit.SECONDS)).isTrue();
    producer.join();
    assertThat(s.received).containsExactly(1, 2);
    assertThat(e.dropped()).isZero();
  }

  @Test
  void refuseSignalsOnSubscribeThenTheError() {
    RecordingSubscriber<Integer> s = new RecordingSubscriber<>();
    SourceEmitter.refuse(s, new IllegalStateException("once only"));
    assertThat(s.subscription).isNotNull();
    assertThat(s.error).hasMessage("once only");
  }

  @Test
  void theEngineDeadLettersAFailedMessageWithAttemptsZeroAndCountsIt() throws Exception {
    List<DeadLetter<String>> dead = new CopyOnWriteArrayList<>();
    List<String> out = new CopyOnWriteArrayList<>();
    AtomicLong processed = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    Flow.Publisher<Message<String>> source = subscriber -> {
      SourceEmitter<String> e = SourceEmitter.builder(subscriber).capacity(4).start();
      new Thread(() -> {
        try {
          e.emit(Message.of("a"));
          e.emit(Message.failed("<first bytes>", new java.io.IOException("too large")));
          e.emit(Message.builder("bad").topic("t").acknowledger(new Acknowledger() {
            @Override public void ack() { acked.incrementAndGet(); }
            @Override public void nack(Throwable cause) { }
          }).failure(new java.io.IOException("malformed")).build());
          e.emit(Message.of("b"));
          e.complete();
        } catch (InterruptedException ex) {
          e.fail(ex);
        }
      }).start();
    };
    Stats stats = Sluice.from(source).workers(2).ordering(dev.sluice.Ordering.ORDERED)
        .process(p -> {
          processed.incrementAndGet();
          return p;
        })
        .to(Sinks.collection(out)).deadLetters(Sinks.collection(dead)).start().awaitCompletion();
    assertThat(out).containsExactly("a", "b");
    assertThat(processed.get()).isEqualTo(2);
    assertThat(stats.deadLettered()).isEqualTo(2);
    assertThat(stats.received()).isEqualTo(4);
    assertThat(dead).extracting(DeadLetter::attempts).containsExactly(0, 0);
    assertThat(dead).extracting(d -> d.cause().getMessage())
        .containsExactly("too large", "malformed");
    assertThat(dead.get(0).message().payload()).isEqualTo("<first bytes>");
    assertThat(acked.get()).isEqualTo(1);
  }

  @Test
  void backoffDoublesUpToItsMaxWithJitterDownwards() {
    Backoff b = Backoff.exponential(java.time.Duration.ofMillis(100),
        java.time.Duration.ofSeconds(1));
    assertThat(b.delay(1, 0.0)).hasMillis(100);
    assertThat(b.delay(2, 0.0)).hasMillis(200);
    assertThat(b.delay(3, 0.999)).isBetween(java.time.Duration.ofMillis(200),
        java.time.Duration.ofMillis(201));
    assertThat(b.delay(40, 0.0)).hasMillis(1000);
    assertThat(b.delay(5)).isBetween(java.time.Duration.ofMillis(500),
        java.time.Duration.ofMillis(1000));
  }
}
