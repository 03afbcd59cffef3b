package dev.sluice.mqtt.internal;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectRestrictions;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.sluice.mqtt.MqttEndpoint;
import io.reactivex.disposables.Disposable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** {@link Connection} over MQTT 5. */
final class Mqtt5Connection extends Connection {

  private final Mqtt5AsyncClient client;
  private final Disposable flow;

  Mqtt5Connection(MqttEndpoint endpoint, String clientId, Consumer<Incoming> onPublish,
      Supplier<String> stateLog) {
    super(endpoint, clientId, stateLog);
    this.client = base().useMqttVersion5().buildAsync();
    if (onPublish != null) {
      // Registered before CONNECT and for ALL publishes: a resumed session's redeliveries
      // arrive before any SUBSCRIBE, and a publish matching no flow is acknowledged and lost
      // by the client (hivemq-mqtt-client issues 429 and 539). Emits on the client's
      // application thread (publishes() observes on the application scheduler). A Flowable
      // rather than a callback so that close() can cancel it: a live global
      // flow holds the event loop, whose thread would otherwise outlive the disconnect.
      flow = client.toRx().publishes(MqttGlobalPublishFilter.ALL, true).subscribe(
          publish -> onPublish.accept(incoming(publish)),
          error -> LOG.warn("{}: incoming publish flow ended: {}", clientId, error.toString()));
    } else {
      flow = null;
    }
  }

  private static Incoming incoming(Mqtt5Publish publish) {
    Map<String, String> properties = Map.of();
    if (!publish.getUserProperties().asList().isEmpty()) {
      Map<String, String> map = new LinkedHashMap<>();
      publish.getUserProperties().asList()
          .forEach(p -> map.putIfAbsent(p.getName().toString(), p.getValue().toString()));
      properties = map;
    }
    int qos = publish.getQos().getCode();
    Runnable ack = qos == 0 ? () -> { } : () -> {
      try {
        publish.acknowledge();
      } catch (RuntimeException e) {
        LOG.debug("acknowledge: {}", e.toString());
      }
    };
    return new Incoming(publish.getTopic().toString(), publish.getPayloadAsBytes(), qos,
        properties, ack);
  }

  @Override
  public CompletableFuture<Boolean> connect(boolean cleanStart, long sessionExpirySeconds,
      int receiveMaximum) {
    Mqtt5ConnectBuilder builder = Mqtt5Connect.builder()
        .cleanStart(cleanStart)
        .sessionExpiryInterval(sessionExpirySeconds)
        .keepAlive((int) endpoint.keepAlive().getSeconds())
        .restrictions(Mqtt5ConnectRestrictions.builder().receiveMaximum(receiveMaximum).build());
    if (endpoint.credentials() != null) {
      builder.simpleAuth(Mqtt5SimpleAuth.builder().username(endpoint.credentials().username())
          .password(endpoint.credentials().password()).build());
    }
    return client.connect(builder.build()).thenApply(ack -> ack.isSessionPresent());
  }

  @Override
  public CompletableFuture<Void> subscribe(List<String> filters, int qos) {
    List<Mqtt5Subscription> subscriptions = filters.stream()
        .map(f -> Mqtt5Subscription.builder().topicFilter(f).qos(MqttQos.fromCode(qos)).build())
        .collect(Collectors.toList());
    return client.subscribe(Mqtt5Subscribe.builder().addSubscriptions(subscriptions).build())
        .thenAccept(ack -> {
          List<Mqtt5SubAckReasonCode> codes = ack.getReasonCodes();
          for (int i = 0; i < codes.size(); i++) {
            if (codes.get(i).isError()) {
              throw new IllegalStateException("broker refused subscription to '"
                  + filters.get(i) + "': " + codes.get(i));
            }
          }
        });
  }

  @Override
  public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retain,
      Map<String, String> userProperties) {
    Mqtt5PublishBuilder.Complete publish = Mqtt5Publish.builder().topic(topic).payload(payload)
        .qos(MqttQos.fromCode(qos)).retain(retain);
    if (!userProperties.isEmpty()) {
      Mqtt5UserPropertiesBuilder properties = Mqtt5UserProperties.builder();
      userProperties.forEach(properties::add);
      publish.userProperties(properties.build());
    }
    return client.publish(publish.build()).thenAccept(Mqtt5Connection::check);
  }

  private static void check(Mqtt5PublishResult result) {
    if (result.getError().isPresent()) {
      throw new IllegalStateException("publish failed: " + result.getError().get(),
          result.getError().get());
    }
    if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result) {
      var code = ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
      if (code.isError()) {
        throw new IllegalStateException("broker refused publish: PUBACK " + code);
      }
    } else if (result instanceof Mqtt5PublishResult.Mqtt5Qos2Result) {
      var code = ((Mqtt5PublishResult.Mqtt5Qos2Result) result).getPubRec().getReasonCode();
      if (code.isError()) {
        throw new IllegalStateException("broker refused publish: PUBREC " + code);
      }
    }
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
