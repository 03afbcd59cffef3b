package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PerWorkerProcessorTest {

  /** A processor that remembers the one thread it may be used from. */
  static final class Owned implements MessageProcessor<Integer, String>, AutoCloseable {
    static final List<String> problems = new CopyOnWriteArrayList<>();
    final Thread owner = Thread.currentThread();
    final Set<String> closedOn = ConcurrentHashMap.newKeySet();
    int used;

    @Override
    public String process(Message<Integer> message, int attempt) {
      if (Thread.currentThread() != owner) {
        problems.add("used from " + Thread.currentThread().getName());
      }
      used++;
      return owner.getName() + ":" + message.payload();
    }

    @Override
    public void close() {
      closedOn.add(Thread.currentThread().getName());
    }
  }

  @Test
  void eachWorkerMakesItsOwnProcessorOnItsThreadAndClosesItThereWhenItStops()
      throws Exception {
    Map<String, Owned> made = new ConcurrentHashMap<>();
    List<String> out = new CopyOnWriteArrayList<>();
    Sluice.from(Sources.fromIterable(IntStream.range(0, 2000).boxed().toList()))
        .workers(3).name("pw")
        .processPerWorker(() -> {
          Owned p = new Owned();
          made.put(Thread.currentThread().getName(), p);
          return p;
        })
        .to(Sinks.collection(out)).start().awaitCompletion();
    assertThat(out).hasSize(2000);
    assertThat(Owned.problems).isEmpty();
    assertThat(made.keySet()).isNotEmpty().allSatisfy(n -> assertThat(n).startsWith("pw-worker-"));
    assertThat(made).allSatisfy((thread, p) -> assertThat(p.closedOn).containsExactly(thread));
    assertThat(made.values().stream().mapToInt(p -> p.used).sum()).isEqualTo(2000);
  }

  @Test
  void aProcessorThatCannotStartFailsTheAttemptAndIsTriedAgain() throws Exception {
    AtomicInteger opens = new AtomicInteger();
    List<DeadLetter<Integer>> dead = new CopyOnWriteArrayList<>();
    List<String> out = new CopyOnWriteArrayList<>();
    Stats stats = Sluice.from(Sources.fromIterable(List.of(1, 2, 3))).workers(1)
        .ordering(Ordering.ORDERED)
        .processPerWorker(() -> {
          if (opens.incrementAndGet() == 1) {
            throw new IllegalStateException("model not loaded");
          }
          return (MessageProcessor<Integer, String>) (m, attempt) -> "ok" + m.payload();
        })
        .to(Sinks.collection(out)).deadLetters(Sinks.collection(dead)).start()
        .awaitCompletion();
    assertThat(out).containsExactly("ok2", "ok3");
    assertThat(dead).singleElement().satisfies(letter -> {
      assertThat(letter.attempts()).isEqualTo(1);
      assertThat(letter.cause()).hasMessageContaining("could not start")
          .hasMessageContaining("model not loaded");
    });
    assertThat(stats.failed()).isEqualTo(1);
  }
}
