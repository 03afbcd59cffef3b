package dev.sluice.mqtt.internal;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.mqtt3.lifecycle.Mqtt3ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import dev.sluice.mqtt.MqttEndpoint;
import dev.sluice.mqtt.MqttVersion;
import dev.sluice.mqtt.TlsConfig;
import dev.sluice.spi.ConnectionState;
import io.reactivex.schedulers.Schedulers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HiveMQ client, MQTT 5 or 3.1.1, behind a version-neutral face, with Sluice's reconnect
 * policy and thread ownership.
 *
 * <p><b>Reconnect.</b> Once connected, a lost connection is retried after the endpoint's
 * {@link MqttEndpoint#reconnectBackoff()} (core's {@code Backoff}: doubling, with jitter), in
 * state {@link ConnectionState#BACKING_OFF} meanwhile; the HiveMQ client resubscribes whether
 * or not the broker kept the session, and resends unacknowledged outgoing publishes. A first
 * connection that fails is not retried ({@link ConnectionState#FAILED}): the caller learns of
 * it from {@link #connect}. {@link #close} ends in {@link ConnectionState#CLOSED}.
 *
 * <p><b>Threads.</b> The client runs on its own event-loop thread (see {@link NettyThreads}),
 * where the state listener runs, and delivers incoming publishes and completes its futures on
 * its own application thread, {@code sluice-mqtt-CLIENTID-app} (HiveMQ's default is RxJava's
 * shared computation pool: a source waiting there for its pipeline would stall every other
 * client's futures, a sink's PUBACKs included). Both are daemon threads; {@link #close}
 * disconnects and waits for both to end. Every method is safe from any thread.
 */
public abstract class Connection {

  static final Logger LOG = LoggerFactory.getLogger("dev.sluice.mqtt");

  final MqttEndpoint endpoint;
  final String clientId;
  final NettyThreads threads;
  private final ExecutorService application;
  private final Supplier<String> stateLog;
  private volatile ConnectionState state = ConnectionState.CONNECTING;
  private volatile boolean everConnected;
  private volatile boolean closing;
  private final AtomicLong reconnects = new AtomicLong();

  Connection(MqttEndpoint endpoint, String clientId, Supplier<String> stateLog) {
    this.endpoint = endpoint;
    this.clientId = clientId;
    this.threads = new NettyThreads("sluice-mqtt-" + clientId);
    this.application = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "sluice-mqtt-" + clientId + "-app");
      thread.setDaemon(true);
      return thread;
    });
    this.stateLog = stateLog;
  }

  /** A connection of the endpoint's version; {@code stateLog} adds context to state-change logs. */
  public static Connection create(MqttEndpoint endpoint, String clientId,
      Consumer<Incoming> onPublish, Supplier<String> stateLog) {
    return endpoint.version() == MqttVersion.V5
        ? new Mqtt5Connection(endpoint, clientId, onPublish, stateLog)
        : new Mqtt3Connection(endpoint, clientId, onPublish, stateLog);
  }

  /**
   * Connects; completes with the broker's "session present" flag.
   *
   * @param cleanStart           discard any session the broker holds for this client id
   * @param sessionExpirySeconds how long the broker keeps the session after a disconnect (MQTT 5)
   * @param receiveMaximum       most unacknowledged QoS 1/2 deliveries at once (MQTT 5)
   */
  public abstract CompletableFuture<Boolean> connect(boolean cleanStart, long sessionExpirySeconds,
      int receiveMaximum);

  /** Subscribes to {@code filters} at {@code qos}; fails if the broker refuses any. */
  public abstract CompletableFuture<Void> subscribe(List<String> filters, int qos);

  /**
   * Publishes; completes when the broker has it (PUBACK for QoS 1, PUBCOMP for 2, written for 0),
   * exceptionally if the broker refused it.
   */
  public abstract CompletableFuture<Void> publish(String topic, byte[] payload, int qos,
      boolean retain, Map<String, String> userProperties);

  abstract CompletableFuture<Void> sendDisconnect();

  /** Cancels the incoming-publish flow, which holds the client's event loop while it lives. */
  abstract void releaseFlows();

  public ConnectionState state() { return state; }

  /** Reconnections so far. */
  public long reconnects() { return reconnects.get(); }

  public String clientId() { return clientId; }

  /**
   * Disconnects (keeping the session at the broker for its expiry) and waits up to
   * {@code timeout} for the client's thread to end. Idempotent.
   */
  public void close(Duration timeout) {
    closing = true;
    if (state != ConnectionState.CLOSED) {
      try {
        sendDisconnect().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.debug("{}: disconnect: {}", clientId, e.toString());
      }
      state = ConnectionState.CLOSED;
    }
    releaseFlows();
    application.shutdown();
    try {
      if (!threads.awaitTermination(timeout)
          | !application.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{}: MQTT client thread still running {} after close", clientId, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  MqttClientBuilder base() {
    // The SSL config goes into the transport config: the client builder's own sslConfig(...),
    // called after transportConfig(...), is silently ignored by HiveMQ client 1.4 (the applied
    // transport config wins), which sent mqtts:// in plain text.
    MqttClientTransportConfigBuilder transport = MqttClientTransportConfig.builder()
        .serverHost(endpoint.host()).serverPort(endpoint.port())
        .socketConnectTimeout(endpoint.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .mqttConnectTimeout(endpoint.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    if (endpoint.tls() != null) {
      transport.sslConfig(sslConfig(endpoint.tls()));
    }
    return MqttClient.builder()
        .identifier(clientId)
        .executorConfig(MqttClientExecutorConfig.builder().nettyExecutor(threads).nettyThreads(1)
            .applicationScheduler(Schedulers.from(application)).build())
        .transportConfig(transport.build())
        .addConnectedListener(this::onConnected)
        .addDisconnectedListener(this::onDisconnected);
  }

  /** The client's TLS settings: the host name is verified (the client's default). */
  static MqttClientSslConfig sslConfig(TlsConfig tls) {
    MqttClientSslConfigBuilder ssl = MqttClientSslConfig.builder();
    if (tls.trustManagers() != null) {
      ssl.trustManagerFactory(tls.trustManagers());
    }
    if (tls.keyManagers() != null) {
      ssl.keyManagerFactory(tls.keyManagers());
    }
    return ssl.build();
  }

  private void onConnected(MqttClientConnectedContext context) {
    boolean sessionPresent = false;
    if (context instanceof Mqtt5ClientConnectedContext) {
      sessionPresent = ((Mqtt5ClientConnectedContext) context).getConnAck().isSessionPresent();
    } else if (context instanceof Mqtt3ClientConnectedContext) {
      sessionPresent = ((Mqtt3ClientConnectedContext) context).getConnAck().isSessionPresent();
    }
    boolean again = everConnected;
    everConnected = true;
    state = ConnectionState.CONNECTED;
    LOG.info("{}: {} to {} (session present: {}){}", clientId,
        again ? "reconnected" : "connected", endpoint, sessionPresent, stateLog());
  }

  private void onDisconnected(MqttClientDisconnectedContext context) {
    MqttClientReconnector reconnector = context.getReconnector();
    if (closing || !everConnected) {
      reconnector.reconnect(false);
      state = closing ? ConnectionState.CLOSED : ConnectionState.FAILED;
      if (!closing) {
        // the first connection's failure completes connect() exceptionally: the caller reports it
        LOG.debug("{}: could not connect to {}", clientId, endpoint, context.getCause());
      }
      return;
    }
    int attempt = reconnector.getAttempts();
    long delay = endpoint.reconnectBackoff().delay(attempt + 1).toMillis();
    reconnector.reconnect(true)
        .resubscribeIfSessionExpired(true)
        .republishIfSessionExpired(true)
        .delay(delay, TimeUnit.MILLISECONDS);
    if (state != ConnectionState.BACKING_OFF) {
      reconnects.incrementAndGet();
    }
    state = ConnectionState.BACKING_OFF;
    LOG.warn("{}: connection to {} lost ({}); reconnect attempt {} in {} ms{}", clientId, endpoint,
        reason(context.getCause()), attempt + 1, delay, stateLog());
  }

  /** The deepest message of {@code cause}'s chain: why, without the library's class names. */
  private static String reason(Throwable cause) {
    String reason = null;
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        reason = t.getMessage();
      }
    }
    return reason != null ? reason : cause.getClass().getSimpleName();
  }

  private String stateLog() {
    String extra = stateLog == null ? null : stateLog.get();
    return extra == null || extra.isEmpty() ? "" : "; " + extra;
  }
}
