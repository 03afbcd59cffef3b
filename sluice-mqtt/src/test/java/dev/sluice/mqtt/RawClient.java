package dev.sluice.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** A plain HiveMQ client for tests: publishes inputs and collects outputs. */
final class RawClient implements AutoCloseable {

  private final Mqtt5AsyncClient client;
  final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  final Queue<Mqtt5Publish> received = new ConcurrentLinkedQueue<>();
  final AtomicInteger total = new AtomicInteger();

  private RawClient(int port) {
    this(port, null);
  }

  private RawClient(int port, String persistentId) {
    client = persistentId == null
        ? MqttClient.builder().useMqttVersion5().identifier("raw-" + UUID.randomUUID())
            .serverHost("127.0.0.1").serverPort(port).buildAsync()
        : MqttClient.builder().useMqttVersion5().identifier(persistentId)
            .serverHost("127.0.0.1").serverPort(port)
            .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS)
            .maxDelay(1, TimeUnit.SECONDS).applyAutomaticReconnect()
            // reconnect into the session: the first CONNECT's clean start would discard what
            // the broker queued for this collector while it was away
            .addDisconnectedListener(context -> ((Mqtt5ClientDisconnectedContext) context)
                .getReconnector().connectWith().cleanStart(false).sessionExpiryInterval(600)
                .applyConnect())
            .buildAsync();
    client.publishes(MqttGlobalPublishFilter.ALL, p -> {
      received.add(p);
      counts.computeIfAbsent(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8),
          k -> new AtomicInteger()).incrementAndGet();
      total.incrementAndGet();
    });
    if (persistentId == null) {
      client.connectWith().cleanStart(true).send().join();
    } else {
      client.connectWith().cleanStart(true).sessionExpiryInterval(600).send().join();
    }
  }

  /** A collector whose session (and QoS 1 subscriptions) survive a broker restart. */
  static RawClient connectPersistent(TestBroker broker, String clientId) {
    return new RawClient(broker.port(), clientId);
  }

  static RawClient connect(TestBroker broker) {
    return new RawClient(broker.port());
  }

  /** Subscribes at QoS 1 and waits for the SUBACK. */
  RawClient subscribe(String filter) {
    client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().join();
    return this;
  }

  /** Publishes {@code n} messages, payload {@code payload(i)}, at {@code qos}; waits for all. */
  void publish(String topic, int n, int qos, IntFunction<String> payload) {
    List<CompletableFuture<?>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(client.publishWith().topic(topic).qos(MqttQos.fromCode(qos))
          .payload(payload.apply(i).getBytes(StandardCharsets.UTF_8)).send());
      if (futures.size() >= 2000) {
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();
        futures.clear();
      }
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();
  }

  void publish(String topic, byte[] payload, int qos) {
    client.publishWith().topic(topic).qos(MqttQos.fromCode(qos)).payload(payload).send().join();
  }

  int distinct() {
    return counts.size();
  }

  @Override
  public void close() {
    try {
      client.disconnect().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the broker may be gone already
    }
  }
}
