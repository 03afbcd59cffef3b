package dev.sluice.cli;

import dev.sluice.mqtt.broker.EmbeddedBroker;
import dev.sluice.mqtt.broker.Mosquitto;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real MQTT broker for the runner's tests: Mosquitto on a free loopback port when it is
 * installed (as CI does), else the embedded HiveMQ CE broker.
 */
final class CliTestBroker implements AutoCloseable {

  private final int port;
  private final Mosquitto mosquitto;
  private final EmbeddedBroker embedded;

  private CliTestBroker(int port, Mosquitto mosquitto, EmbeddedBroker embedded) {
    this.port = port;
    this.mosquitto = mosquitto;
    this.embedded = embedded;
  }

  static CliTestBroker start(Path dir) {
    if (!Mosquitto.installed()) {
      EmbeddedBroker broker = EmbeddedBroker.start(0, Duration.ofSeconds(60));
      return new CliTestBroker(broker.port(), null, broker);
    }
    int port = Mosquitto.freePort();
    Mosquitto mosquitto = Mosquitto.start(dir, List.of(port), List.of(
        "listener " + port + " 127.0.0.1", "allow_anonymous true", "user root",
        "max_inflight_messages 32", "max_queued_messages 100000"));
    return new CliTestBroker(port, mosquitto, null);
  }

  /** {@code mqtt://127.0.0.1:PORT}. */
  String uri() {
    return "mqtt://127.0.0.1:" + port;
  }

  /**
   * The {@code receive-maximum} a source should ask for: Mosquitto 2 sends more than a small
   * Receive Maximum allows (the client then drops the connection) and is bounded by its own
   * {@code max_inflight_messages} instead.
   */
  int receiveMaximum(int maxInFlight) {
    return mosquitto != null ? 65_535 : maxInFlight;
  }

  /**
   * True on Mosquitto, which spreads a share group's messages round-robin. HiveMQ CE may give
   * all of them to one member, which MQTT allows.
   */
  boolean spreadsSharedSubscriptions() {
    return mosquitto != null;
  }

  @Override
  public void close() throws InterruptedException {
    if (embedded != null) {
      embedded.close();
      return;
    }
    mosquitto.close();
  }
}
