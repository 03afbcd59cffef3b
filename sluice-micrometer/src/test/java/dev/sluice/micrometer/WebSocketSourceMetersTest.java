package dev.sluice.micrometer;

import static dev.sluice.micrometer.SourceMetersTest.current;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.websocket.WebSocketSource;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link WebSocketSource}'s meters against a real server (Jetty on a free loopback port) that
 * sends 100 messages at once into a buffer of 10 while the pipeline's one worker is held.
 */
@Timeout(60)
@Tag("broker")
class WebSocketSourceMetersTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MESSAGES = 100;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double counter(String name) {
    return registry.get(name).tag("pipeline", "ws").functionCounter().count();
  }

  private double gauge(String name) {
    return registry.get(name).tag("pipeline", "ws").gauge().value();
  }

  @Test
  void receivedDroppedBufferedAndStateMoveWithTheSource() throws Exception {
    try (FloodServer server = new FloodServer(MESSAGES)) {
      SluiceMeters meters = SluiceMeters.register(registry, Tags.of("pipeline", "ws"));
      WebSocketSource source = WebSocketSource.builder(server.uri())
          .bufferSize(10).overflow(OverflowPolicy.DROP_NEWEST).noReconnect().build();
      meters.bindSource(source);
      assertThat(current(registry)).isEqualTo(ConnectionState.IDLE);

      CountDownLatch gate = new CountDownLatch(1);
      Pipeline pipeline = Sluice.from(source).workers(1).maxInFlight(1)
          .process((String s) -> {
            gate.await();
            return s;
          }).start();
      await().atMost(WAIT).until(() -> counter("sluice.source.messages.received") == MESSAGES);
      assertThat(current(registry)).isEqualTo(ConnectionState.CONNECTED);
      assertThat(gauge("sluice.source.buffered")).isEqualTo(10);
      double dropped = counter("sluice.source.messages.dropped");
      assertThat(dropped).isPositive();
      assertThat(dropped + gauge("sluice.source.buffered") + pipeline.stats().received())
          .as("each message dropped, buffered or taken").isEqualTo(MESSAGES);
      assertThat(counter("sluice.source.reconnects")).isZero();
      assertThat(counter("sluice.source.messages.rejected")).isZero();

      gate.countDown();
      server.closeNow.countDown();
      pipeline.completion().get(20, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> current(registry) == ConnectionState.CLOSED);
      assertThat(gauge("sluice.source.buffered")).isZero();
      source.close();
    }
  }
}
