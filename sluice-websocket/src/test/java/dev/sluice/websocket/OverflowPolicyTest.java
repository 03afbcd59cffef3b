package dev.sluice.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.OverflowPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The policies for a server that will not slow down: a subscriber that asks for nothing while
 * the server sends 100 messages into a buffer of 10.
 */
@Timeout(30)
@Tag("broker")
class OverflowPolicyTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static TestServer hundredMessages() throws Exception {
    return TestServer.start(conn -> {
      for (int i = 1; i <= 100; i++) {
        conn.send(Integer.toString(i));
      }
    });
  }

  private static List<String> range(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(Integer::toString)
        .collect(Collectors.toList());
  }

  private static WebSocketSource source(TestServer server, OverflowPolicy policy) {
    return WebSocketSource.builder(server.uri("/flood")).bufferSize(10).overflow(policy)
        .noReconnect().build();
  }

  @Test
  void dropNewestKeepsTheFirstMessagesAndCountsTheRestAsDropped() throws Exception {
    try (TestServer server = hundredMessages()) {
      WebSocketSource source = source(server, OverflowPolicy.DROP_NEWEST);
      TestSubscriber subscriber = new TestSubscriber(1000);
      source.subscribe(subscriber);
      await().atMost(WAIT).until(() -> source.stats().received() == 100);

      WebSocketStats stats = source.stats();
      assertThat(stats.buffered()).isEqualTo(10);
      assertThat(stats.bufferedPeak()).isEqualTo(10);
      assertThat(stats.dropped()).isEqualTo(90);
      assertThat(stats.delivered()).isZero();
      subscriber.request(1000);
      await().atMost(WAIT).until(() -> subscriber.count.get() == 10);
      assertThat(subscriber.items).isEqualTo(range(1, 10));
      source.close();
      subscriber.done.get(10, TimeUnit.SECONDS);
      assertThat(subscriber.count.get()).isEqualTo(10);
    }
  }

  @Test
  void dropOldestKeepsTheFreshestMessages() throws Exception {
    try (TestServer server = hundredMessages()) {
      WebSocketSource source = source(server, OverflowPolicy.DROP_OLDEST);
      TestSubscriber subscriber = new TestSubscriber(1000);
      source.subscribe(subscriber);
      await().atMost(WAIT).until(() -> source.stats().received() == 100);

      assertThat(source.stats().dropped()).isEqualTo(90);
      assertThat(source.stats().bufferedPeak()).isEqualTo(10);
      subscriber.request(1000);
      await().atMost(WAIT).until(() -> subscriber.count.get() == 10);
      assertThat(subscriber.items).isEqualTo(range(91, 100));
      source.close();
      subscriber.done.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void failEndsTheStreamWithAClearCauseWhenTheBufferOverflows() throws Exception {
    try (TestServer server = hundredMessages()) {
      WebSocketSource source = source(server, OverflowPolicy.FAIL);
      TestSubscriber subscriber = new TestSubscriber(1000);
      source.subscribe(subscriber);

      assertThatThrownBy(() -> subscriber.done.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("the buffer of 10 messages overflowed (OverflowPolicy.FAIL)");
      assertThat(subscriber.count.get()).isZero();
      assertThat(source.state()).isEqualTo(ConnectionState.FAILED);
      assertThat(source.stats().dropped()).isEqualTo(11);
      assertThat(server.connection(1).closed.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void blockReadsOnlyWhatWasRequested() throws Exception {
    try (TestServer server = hundredMessages()) {
      WebSocketSource source = source(server, OverflowPolicy.BLOCK);
      TestSubscriber subscriber = new TestSubscriber(1000);
      source.subscribe(subscriber);
      subscriber.request(3);
      await().atMost(WAIT).until(() -> subscriber.count.get() == 3);
      // Nothing more is read while nothing more is asked for.
      await().during(Duration.ofMillis(200)).atMost(WAIT)
          .until(() -> source.stats().received() == 3);

      subscriber.request(Long.MAX_VALUE);
      await().atMost(WAIT).until(() -> subscriber.count.get() == 100);
      assertThat(subscriber.items).isEqualTo(range(1, 100));
      assertThat(source.stats().dropped()).isZero();
      assertThat(source.stats().bufferedPeak()).isLessThanOrEqualTo(10);
      source.close();
      subscriber.done.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSecondSubscriberIsRefused() throws Exception {
    try (TestServer server = hundredMessages()) {
      WebSocketSource source = source(server, OverflowPolicy.BLOCK);
      source.subscribe(new TestSubscriber(0));
      TestSubscriber second = new TestSubscriber(0);
      source.subscribe(second);
      assertThatThrownBy(() -> second.done.get(10, TimeUnit.SECONDS))
          .hasMessageContaining("it can be subscribed once");
      source.close();
    }
  }
}
