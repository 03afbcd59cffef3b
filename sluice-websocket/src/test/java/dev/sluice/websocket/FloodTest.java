package dev.sluice.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that floods far faster than the work. Surefire runs this class in a JVM of its own
 * with {@code -Xmx64m} (execution {@code bounded-heap} in the module's POM): 100,000 messages
 * of about 1,000 characters are over 100 MB as Java strings, so buffering them would run out of
 * heap.
 */
@Timeout(60)
@Tag("broker")
class FloodTest {

  private static final int COUNT = 100_000;
  private static final String PADDING = "x".repeat(1000);

  private static TestServer flood() throws Exception {
    return TestServer.start(conn -> {
      for (int i = 1; i <= COUNT; i++) {
        conn.send(i + ":" + PADDING);
      }
      conn.close(1000, "all sent");
    });
  }

  @Test
  void theHeapLimitIsInForceWhenSurefireForksThisClass() {
    if (Boolean.getBoolean("sluice.boundedHeap")) {
      assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(80L << 20);
    }
  }

  @Test
  void aFloodIntoSlowWorkersStaysWithinTheCapsAndNothingIsLost() throws Exception {
    try (TestServer server = flood()) {
      WebSocketSource source = WebSocketSource.builder(server.uri("/flood"))
          .bufferSize(32).noReconnect().build();
      AtomicLong maxInFlight = new AtomicLong();
      AtomicInteger maxBuffered = new AtomicInteger();
      AtomicLong sum = new AtomicLong();
      Pipeline pipeline = Sluice.from(source).workers(2).maxInFlight(16)
          .onStats(Duration.ofMillis(10), stats -> {
            maxInFlight.accumulateAndGet(stats.inFlight(), Math::max);
            maxBuffered.accumulateAndGet(source.stats().buffered(), Math::max);
          })
          .process(payload -> {
            long end = System.nanoTime() + 5_000;       // 5 µs of work: slower than the server
            while (System.nanoTime() < end) {
              Thread.onSpinWait();
            }
            return Long.parseLong(payload.substring(0, payload.indexOf(':')));
          })
          .to(Sinks.callback(sum::addAndGet)).start();

      Stats stats = pipeline.completion().get(50, TimeUnit.SECONDS);

      assertThat(stats.completed()).isEqualTo(COUNT);
      assertThat(sum.get()).isEqualTo((long) COUNT * (COUNT + 1) / 2);
      assertThat(maxInFlight.get()).isLessThanOrEqualTo(16);
      assertThat(maxBuffered.get()).isLessThanOrEqualTo(32);
      WebSocketStats ws = source.stats();
      assertThat(ws.bufferedPeak()).isLessThanOrEqualTo(32);
      assertThat(ws.dropped()).isZero();
      assertThat(ws.received()).isEqualTo(COUNT);
    }
  }

  @Test
  void aSubscriberThatStopsAskingHoldsTheServerBackThroughTcp() throws Exception {
    try (TestServer server = flood()) {
      WebSocketSource source = WebSocketSource.builder(server.uri("/flood"))
          .bufferSize(32).noReconnect().build();
      TestSubscriber subscriber = new TestSubscriber(10);
      source.subscribe(subscriber);
      subscriber.request(10);
      await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.count.get() == 10);
      TestServer.Conn conn = server.connection(1);

      // While nobody asks, the client reads nothing more and the server's writes stall.
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> source.stats().received() == 10 && conn.sent.get() < COUNT);
      long stalledAt = conn.sent.get();
      assertThat(stalledAt).isLessThan(COUNT);

      subscriber.request(Long.MAX_VALUE);
      subscriber.done.get(50, TimeUnit.SECONDS);
      assertThat(subscriber.count.get()).isEqualTo(COUNT);
      assertThat(subscriber.items.get(9)).startsWith("10:");
      assertThat(source.stats().dropped()).isZero();
      assertThat(source.stats().bufferedPeak()).isLessThanOrEqualTo(32);
    }
  }
}
