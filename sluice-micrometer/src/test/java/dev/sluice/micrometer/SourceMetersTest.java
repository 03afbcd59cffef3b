package dev.sluice.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.SourceConnection;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The generic part of {@link SluiceMeters#bindSource}: what the core SPI lets a source say. */
@Timeout(60)
class SourceMetersTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SluiceMeters meters = SluiceMeters.register(registry, Tags.of("pipeline", "p"));

  static double state(SimpleMeterRegistry registry, ConnectionState state) {
    return registry.get("sluice.source.state")
        .tag("state", SourceMeters.tagValue(state)).gauge().value();
  }

  /** The one state whose gauge reads 1, checking that every other reads 0. */
  static ConnectionState current(SimpleMeterRegistry registry) {
    ConnectionState found = null;
    for (ConnectionState each : ConnectionState.values()) {
      double v = state(registry, each);
      assertThat(v).as("gauge of %s", each).isIn(0.0, 1.0);
      if (v == 1) {
        assertThat(found).as("only one state is current").isNull();
        found = each;
      }
    }
    return found;
  }

  @Test
  void aGeneratorsBacklogIsAGaugeThatIsNanUntilKnownThenGrowsAndDrains() throws Exception {
    Flow.Publisher<Message<Integer>> source = Sources.generate(100, Duration.ZERO, i -> (int) i);
    meters.bindSource(source);
    assertThat(registry.get("sluice.source.backlog").tag("pipeline", "p").gauge().value())
        .as("unknown before the subscription").isNaN();
    assertThat(registry.find("sluice.source.state").gauges())
        .as("a generator has no connection").isEmpty();

    CountDownLatch gate = new CountDownLatch(1);
    Pipeline pipeline = Sluice.from(source).workers(1).maxInFlight(2)
        .process((Integer i) -> {
          gate.await();
          return i;
        }).start();
    await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.stats().busyWorkers() == 1);
    double held = registry.get("sluice.source.backlog").gauge().value();
    assertThat(held).as("all due, at most a few taken").isBetween(90.0, 99.0);
    gate.countDown();
    pipeline.awaitCompletion();
    assertThat(registry.get("sluice.source.backlog").gauge().value()).isZero();
  }

  @Test
  void aSourceConnectionsStateIsAStateSetWithOneGaugeAtOne() {
    Switchable source = new Switchable();
    meters.bindSource(source);
    assertThat(registry.find("sluice.source.state").gauges())
        .hasSize(ConnectionState.values().length);
    assertThat(current(registry)).isEqualTo(ConnectionState.IDLE);
    source.state = ConnectionState.BACKING_OFF;
    assertThat(current(registry)).isEqualTo(ConnectionState.BACKING_OFF);
    assertThat(registry.get("sluice.source.state").tag("state", "backing_off")
        .tag("pipeline", "p").gauge().value()).isEqualTo(1);
    assertThat(registry.find("sluice.source.backlog").gauges())
        .as("no backlog reported, none registered").isEmpty();
  }

  @Test
  void aPlainSourceRegistersNothing() {
    meters.bindSource(Sources.fromIterable(List.of(1, 2)));
    assertThat(registry.find("sluice.source.state").gauges()).isEmpty();
    assertThat(registry.find("sluice.source.backlog").gauges()).isEmpty();
    assertThat(registry.find("sluice.source.messages.received").functionCounters()).isEmpty();
  }

  /** A unit stand-in: a source whose connection state the test sets. */
  private static final class Switchable implements Flow.Publisher<Message<String>>,
      SourceConnection {
    volatile ConnectionState state = ConnectionState.IDLE;

    @Override
    public ConnectionState state() {
      return state;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Message<String>> subscriber) {
      throw new UnsupportedOperationException("not subscribed in this test");
    }
  }
}
