package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An adaptive pool on a real pipeline: it grows while the load needs more workers, retires
 * them (closing their per-worker processors on their own threads) when the load goes, and
 * every message is still settled exactly once. The decisions themselves are tested on a fake
 * clock in {@code PoolResizerTest}.
 */
class AdaptivePoolTest {

  /** A per-worker processor that records where it was made and closed. */
  static final class Tracked implements MessageProcessor<Long, Long>, AutoCloseable {
    final String owner = Thread.currentThread().getName();
    final Set<String> closedOn = ConcurrentHashMap.newKeySet();
    volatile boolean closedWhileRunning;
    final Pipeline[] pipeline;

    Tracked(Pipeline[] pipeline) {
      this.pipeline = pipeline;
    }

    @Override
    public Long process(Message<Long> message, int attempt) throws InterruptedException {
      // the first 300 messages (about 7 s) keep 4 workers busy; the rest are light
      Thread.sleep(message.payload() <= 300 ? 100 : 1);
      return message.payload();
    }

    @Override
    public void close() {
      closedOn.add(Thread.currentThread().getName());
      closedWhileRunning = pipeline[0] != null && pipeline[0].state() == Pipeline.State.RUNNING;
    }
  }

  @Test
  void thePoolGrowsWithTheLoadAndRetiresWorkersWithTheirProcessorsWhenItGoes()
      throws Exception {
    Map<Tracked, Boolean> made = new ConcurrentHashMap<>();
    List<Long> out = new CopyOnWriteArrayList<>();
    AtomicInteger largest = new AtomicInteger();
    Pipeline[] holder = new Pipeline[1];
    Pipeline pipeline = Sluice.from(Sources.generate(100_000, Duration.ofMillis(25), i -> i))
        .workers(Workers.adaptive(1, 8)).name("ad")
        .onStats(Duration.ofMillis(100), s -> largest.accumulateAndGet(s.workers(), Math::max))
        .processPerWorker(() -> {
          Tracked t = new Tracked(holder);
          made.put(t, true);
          return t;
        })
        .to(Sinks.collection(out)).start();
    holder[0] = pipeline;

    await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.stats().workers() >= 4);
    await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.stats().workers() <= 2
        && made.keySet().stream().anyMatch(t -> t.closedWhileRunning));
    DrainResult drained = pipeline.drain(Duration.ofSeconds(10));

    Stats last = drained.stats();
    assertThat(drained.clean()).isTrue();
    assertThat(last.received()).isEqualTo(last.completed());
    assertThat(out).hasSize((int) last.completed()).doesNotHaveDuplicates();
    assertThat(largest.get()).isBetween(4, 8);
    assertThat(last.poolResizes()).isGreaterThanOrEqualTo(2);
    assertThat(made.keySet()).allSatisfy(t -> {
      assertThat(t.owner).matches("ad-worker-[1-8]");
      assertThat(t.closedOn).containsExactly(t.owner);
    });
  }

  @Test
  void aFixedPoolNeverResizes() throws Exception {
    Stats last = Sluice.from(Sources.generate(40, Duration.ofMillis(5), i -> i))
        .workers(Workers.fixed(2))
        .process((Long payload) -> {
          Thread.sleep(20);
          return payload;
        })
        .to(Sinks.discard()).start().awaitCompletion();
    assertThat(last.workers()).isEqualTo(2);
    assertThat(last.poolResizes()).isZero();
    assertThat(last.completed()).isEqualTo(40);
  }

  @Test
  void boundsAreChecked() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Workers.adaptive(0, 4))
        .hasMessage("workers must be >= 1 but was 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Workers.adaptive(4, 2))
        .hasMessage("the most workers (2) must be >= the fewest (4)");
    assertThat(Workers.adaptive(2, 32)).hasToString("auto=2..32");
    assertThat(Workers.fixed(3)).hasToString("3");
    assertThat(Workers.adaptive().max())
        .isEqualTo(Workers.ADAPTIVE_PER_CORE * Runtime.getRuntime().availableProcessors());
  }
}
