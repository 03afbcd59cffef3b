package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TapTest {

  /** Records every callback as one line. */
  static final class Recorder implements Tap.Listener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final Map<Message<?>, Long> receivedAt = new ConcurrentHashMap<>();

    @Override
    public void received(Message<?> message, long nanos) {
      receivedAt.put(message, nanos);
      events.add("received " + message.payload());
    }

    @Override
    public void attemptStarted(Message<?> message, int attempt, String worker, long nanos) {
      assertThat(receivedAt).as("the same message object throughout").containsKey(message);
      events.add("started " + message.payload() + "#" + attempt + " on " + worker);
    }

    @Override
    public void attemptEnded(Tap.Attempt attempt) {
      assertThat(attempt.endNanos()).isGreaterThanOrEqualTo(attempt.startNanos());
      events.add("ended " + attempt.message().payload() + "#" + attempt.number()
          + (attempt.failure() == null ? " ok" : " " + attempt.failure().getMessage()));
    }

    @Override
    public void deadLettered(DeadLetter<?> letter, long nanos) {
      events.add("dead " + letter.message().payload() + " after " + letter.attempts());
    }

    @Override
    public void settled(Message<?> message, boolean acked, long receivedNanos, long nanos) {
      assertThat(receivedNanos).isEqualTo(receivedAt.get(message));
      events.add((acked ? "acked " : "nacked ") + message.payload());
    }
  }

  @Test
  void reportsEachArrivalAttemptDeadLetterAndSettlementAndPassesAcksToTheSource()
      throws Exception {
    AtomicInteger acks = new AtomicInteger();
    Acknowledger counting = new Acknowledger() {
      @Override public void ack() { acks.incrementAndGet(); }
      @Override public void nack(Throwable cause) { }
    };
    Message<String> ok = Message.builder("ok").key("k1").topic("t").headers(Map.of("h", "v"))
        .sequence(7).acknowledger(counting).build();
    Message<String> bad = Message.builder("bad").acknowledger(counting).build();
    Recorder recorder = new Recorder();
    Tap<String> tap = Tap.of(recorder);
    List<Message<?>> seen = new CopyOnWriteArrayList<>();

    Pipeline pipeline = Sluice.from(tap.source(publisherOf(ok, bad)))
        .workers(1)
        .retry(RetryPolicy.builder().maxAttempts(2)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(1)).build())
        .processMessages(tap.messageProcessor((Message<String> m, int attempt) -> {
          seen.add(m);
          if (m.payload().equals("bad")) {
            throw new IllegalStateException("no");
          }
          return m.payload();
        }))
        .deadLetters(tap.deadLetters(Sinks.discard()))
        .start();
    pipeline.awaitCompletion();

    assertThat(acks).hasValue(2);
    assertThat(ok.isAcked()).isTrue();
    assertThat(bad.isAcked()).isTrue();
    Message<?> tracked = seen.get(0);
    assertThat(tracked).isNotSameAs(ok);
    assertThat(tracked.key()).isEqualTo("k1");
    assertThat(tracked.topic()).isEqualTo("t");
    assertThat(tracked.headers()).isEqualTo(Map.of("h", "v"));
    assertThat(tracked.sequence()).isEqualTo(7);
    // each message's own story, in order (the two may interleave: the source's thread
    // delivers "bad" while the worker may already run "ok")
    assertThat(recorder.events.stream().filter(e -> e.contains(" ok"))).containsExactly(
        "received ok", "started ok#1 on sluice-worker-1", "ended ok#1 ok", "acked ok");
    assertThat(recorder.events.stream().filter(e -> e.contains(" bad"))).containsExactly(
        "received bad", "started bad#1 on sluice-worker-1", "ended bad#1 no",
        "started bad#2 on sluice-worker-1", "ended bad#2 no", "dead bad after 2", "acked bad");
  }

  @SafeVarargs
  private static <T> java.util.concurrent.Flow.Publisher<Message<T>> publisherOf(
      Message<T>... messages) {
    return subscriber -> subscriber.onSubscribe(new java.util.concurrent.Flow.Subscription() {
      private int next;
      private boolean done;

      @Override
      public synchronized void request(long n) {
        for (long i = 0; i < n && next < messages.length; i++) {
          subscriber.onNext(messages[next++]);
        }
        if (next == messages.length && !done) {
          done = true;
          subscriber.onComplete();
        }
      }

      @Override
      public void cancel() {
        next = messages.length;
      }
    });
  }

  @Test
  void aListenerThatThrowsDoesNotBreakThePipeline() throws Exception {
    Tap.Listener broken = new Tap.Listener() {
      @Override
      public void attemptStarted(Message<?> message, int attempt, String worker, long nanos) {
        throw new IllegalStateException("listener bug");
      }
    };
    Tap<Integer> tap = Tap.of(broken);
    List<Integer> out = new CopyOnWriteArrayList<>();
    Pipeline pipeline = Sluice.from(tap.source(Sources.fromIterable(List.of(1, 2, 3))))
        .workers(2).processMessages(tap.processor((Integer i) -> i * 10))
        .to(Sinks.collection(out)).start();

    assertThat(pipeline.awaitCompletion().completed()).isEqualTo(3);
    assertThat(out).containsExactlyInAnyOrder(10, 20, 30);
  }

  @Test
  void aTapWithoutListenersChangesNothing() {
    Tap<Integer> tap = Tap.of();
    java.util.concurrent.Flow.Publisher<Message<Integer>> source =
        Sources.fromIterable(List.of(1));
    assertThat(tap.source(source)).isSameAs(source);
  }
}
