package dev.sluice.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.sluice.Message;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.contract.SourceContract;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/**
 * The source contract against {@link MqttSource} on a real broker (Mosquitto when installed,
 * else the in-process one). "Messages ready" are QoS 1 messages queued at the broker for a
 * persistent session made before the source connects; the source completes after them
 * ({@code stopAfter}). A nacked or undelivered message comes back to the next connection with
 * the same client id. The malformed message is a payload over {@code maxPayloadBytes}. The
 * overflow cases are a QoS 0 subscription with a small QoS 0 buffer, published to once
 * subscribed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("broker")
class MqttSourceContractTest extends SourceContract<byte[]> {

  private static final int MAX_PAYLOAD = 100;
  private final AtomicInteger ids = new AtomicInteger();
  private TestBroker broker;

  @BeforeAll
  void startBroker() {
    broker = TestBroker.start(getClass().getSimpleName());
  }

  @AfterAll
  void stopBroker() throws Exception {
    broker.close();
  }

  @Override
  protected String text(byte[] payload) {
    return new String(payload, StandardCharsets.UTF_8);
  }

  @Override
  protected Fixture<byte[]> withMessages(int n) {
    String id = "contract-" + ids.incrementAndGet();
    queue(id, in -> in.publish(id + "/in", n, 1, i -> "m-" + i));
    return new MqttFixture(id, b -> b.qos(1).stopAfter(n), true, () -> { });
  }

  @Override
  protected Fixture<byte[]> withMalformedFirst(int good) {
    String id = "contract-" + ids.incrementAndGet();
    queue(id, in -> {
      in.publish(id + "/in", new byte[MAX_PAYLOAD * 5], 1);
      in.publish(id + "/in", good, 1, i -> "m-" + i);
    });
    return new MqttFixture(id, b -> b.qos(1).stopAfter(good + 1), true, () -> { });
  }

  @Override
  protected Fixture<byte[]> withOverflow(int n, int capacity, OverflowPolicy policy) {
    String id = "contract-" + ids.incrementAndGet();
    MqttFixture[] fixture = new MqttFixture[1];
    fixture[0] = new MqttFixture(id, b -> b.qos(0).qos0Overflow(capacity, policy), false, () -> {
      fixture[0].current.subscribed().get(10, TimeUnit.SECONDS);
      try (RawClient in = RawClient.connect(broker)) {
        in.publish(id + "/in", n, 0, i -> "m-" + i);
      }
    });
    return fixture[0];
  }

  /** Makes client {@code id}'s persistent session with its QoS 1 subscription, then fills it. */
  private void queue(String id, java.util.function.Consumer<RawClient> publish) {
    Mqtt5BlockingClient session = MqttClient.builder().useMqttVersion5().identifier(id)
        .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
    session.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
    session.subscribeWith().topicFilter(id + "/in").qos(MqttQos.AT_LEAST_ONCE).send();
    session.disconnect();
    try (RawClient in = RawClient.connect(broker)) {
      publish.accept(in);
    }
  }

  /** Something the fixture does once subscribed. */
  private interface Step {
    void run() throws Exception;
  }

  private final class MqttFixture implements Fixture<byte[]> {
    private final String id;
    private final UnaryOperator<MqttSource.Builder> settings;
    private final boolean completes;
    private final Step onSubscribed;
    private final List<MqttSource> opened = new ArrayList<>();
    private volatile MqttSource current;

    MqttFixture(String id, UnaryOperator<MqttSource.Builder> settings, boolean completes,
        Step onSubscribed) {
      this.id = id;
      this.settings = settings;
      this.completes = completes;
      this.onSubscribed = onSubscribed;
      this.current = open(settings);
    }

    private MqttSource open(UnaryOperator<MqttSource.Builder> with) {
      MqttSource source = with.apply(MqttSource.builder().uri(broker.uri()).topics(id + "/in")
          .clientId(id).maxPayloadBytes(MAX_PAYLOAD)).build();
      opened.add(source);
      return source;
    }

    @Override public Flow.Publisher<Message<byte[]>> source() { return current; }

    @Override public boolean completes() { return completes; }

    @Override public void subscribed() throws Exception { onSubscribed.run(); }

    /** A reject's ack is counted in rejected, not acked. */
    @Override public long acknowledged() {
      MqttSourceStats stats = current.stats();
      return stats.acked() + stats.rejected();
    }

    @Override public long arrived() { return current.stats().received(); }

    @Override public Flow.Publisher<Message<byte[]>> reopen() {
      current.close();
      current = open(b -> b.qos(1));
      return current;
    }

    @Override public void close() {
      opened.forEach(MqttSource::close);
    }
  }
}
