package dev.sluice.mqtt.internal;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3Connect;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3ConnectBuilder;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import dev.sluice.mqtt.MqttEndpoint;
import io.reactivex.disposables.Disposable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@link Connection} over MQTT 3.1.1: no session expiry (a persistent session lasts until the
 * broker expires it), no Receive Maximum (the broker's in-flight limit applies), no user
 * properties (they are dropped from outgoing publishes).
 */
final class Mqtt3Connection extends Connection {

  private final Mqtt3AsyncClient client;
  private final Disposable flow;

  Mqtt3Connection(MqttEndpoint endpoint, String clientId, Consumer<Incoming> onPublish,
      Supplier<String> stateLog) {
    super(endpoint, clientId, stateLog);
    this.client = base().useMqttVersion3().buildAsync();
    if (onPublish != null) {
      flow = client.toRx().publishes(MqttGlobalPublishFilter.ALL, true).subscribe(
          publish -> onPublish.accept(incoming(publish)),
          error -> LOG.warn("{}: incoming publish flow ended: {}", clientId, error.toString()));
    } else {
      flow = null;
    }
  }

  private static Incoming incoming(Mqtt3Publish publish) {
    int qos = publish.getQos().getCode();
    Runnable ack = qos == 0 ? () -> { } : () -> {
      try {
        publish.acknowledge();
      } catch (RuntimeException e) {
        LOG.debug("acknowledge: {}", e.toString());
      }
    };
    return new Incoming(publish.getTopic().toString(), publish.getPayloadAsBytes(), qos, Map.of(),
        ack);
  }

  @Override
  public CompletableFuture<Boolean> connect(boolean cleanStart, long sessionExpirySeconds,
      int receiveMaximum) {
    Mqtt3ConnectBuilder builder = Mqtt3Connect.builder()
        .cleanSession(cleanStart)
        .keepAlive((int) endpoint.keepAlive().getSeconds());
    if (endpoint.credentials() != null) {
      builder.simpleAuth(Mqtt3SimpleAuth.builder().username(endpoint.credentials().username())
          .password(endpoint.credentials().password()).build());
    }
    return client.connect(builder.build()).thenApply(ack -> ack.isSessionPresent());
  }

  @Override
  public CompletableFuture<Void> subscribe(List<String> filters, int qos) {
    List<Mqtt3Subscription> subscriptions = filters.stream()
        .map(f -> Mqtt3Subscription.builder().topicFilter(f).qos(MqttQos.fromCode(qos)).build())
        .collect(Collectors.toList());
    return client.subscribe(Mqtt3Subscribe.builder().addSubscriptions(subscriptions).build())
        .thenAccept(ack -> {
          List<Mqtt3SubAckReturnCode> codes = ack.getReturnCodes();
          for (int i = 0; i < codes.size(); i++) {
            if (codes.get(i).isError()) {
              throw new IllegalStateException("broker refused subscription to '"
                  + filters.get(i) + "'");
            }
          }
        });
  }

  @Override
  public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain,
      Map<String, String> userProperties) {
    return client.publish(Mqtt3Publish.builder().topic(topic).payload(payload)
        .qos(MqttQos.fromCode(qos)).retain(retain).build()).thenApply(p -> null);
  }

  @Override
  CompletableFuture<Void> sendDisconnect() {
    return client.disconnect();
  }

  @Override
  void releaseFlows() {
    if (flow != null) {
      flow.dispose();
    }
  }
}
