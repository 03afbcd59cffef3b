package dev.sluice.mqtt;

import dev.sluice.mqtt.broker.EmbeddedBroker;
import dev.sluice.mqtt.broker.Mosquitto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real broker for one test class: Mosquitto on a free loopback port with a generated config
 * when {@code mosquitto} is installed, else the embedded HiveMQ CE broker. Logs which it used.
 */
final class TestBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TestBroker.class);

  /**
   * The configuration the README recommends for Sluice consumers: persistent sessions kept
   * across broker restarts, no silent drop for slow consumers (a queue far longer than any
   * backlog; bound memory with max_queued_bytes where needed), and the per-client in-flight
   * window set here, because Mosquitto 2.0 overshoots the client's Receive Maximum.
   */
  static final String RECOMMENDED = String.join("\n",
      "persistence true",
      "autosave_interval 30",
      "max_queued_messages 1000000",
      "max_queued_bytes 0",
      "max_inflight_messages 32",
      "persistent_client_expiration 1d",
      "");

  private final int port;
  private final Mosquitto mosquitto;
  private final EmbeddedBroker embedded;

  private TestBroker(int port, Mosquitto mosquitto, EmbeddedBroker embedded) {
    this.port = port;
    this.mosquitto = mosquitto;
    this.embedded = embedded;
  }

  static boolean mosquittoInstalled() {
    return Mosquitto.installed()
        && !"embedded".equals(System.getProperty("sluice.test.broker"));
  }

  static TestBroker start(String testName) {
    if (mosquittoInstalled()) {
      try {
        Path dir = Files.createTempDirectory("sluice-mosquitto-");
        int port = Mosquitto.freePort();
        List<String> config = new ArrayList<>(List.of(
            "listener " + port + " 127.0.0.1",
            "allow_anonymous true",
            "user root",
            "persistence_location " + dir + "/",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
            "set_tcp_nodelay true"));
        for (String line : System.getProperty("test.conf", RECOMMENDED).split("[;\\n]")) {
          if (!line.isBlank()) {
            config.add(line);
          }
        }
        TestBroker broker = new TestBroker(port, Mosquitto.start(dir, List.of(port), config),
            null);
        LOG.info("{}: using Mosquitto ({}) on 127.0.0.1:{}", testName, Mosquitto.BINARY, port);
        return broker;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    EmbeddedBroker embedded = EmbeddedBroker.start(0, Duration.ofSeconds(60));
    LOG.info("{}: no Mosquitto (or -Dsluice.test.broker=embedded); using the embedded HiveMQ CE broker on 127.0.0.1:{}",
        testName, embedded.port());
    return new TestBroker(embedded.port(), null, embedded);
  }

  /**
   * The Receive Maximum a source should advertise for a pipeline of {@code maxInFlight}:
   * {@code maxInFlight} on a broker that honours it, 65535 on Mosquitto, which sends more than
   * the client's Receive Maximum (the HiveMQ client then disconnects with a protocol error) and
   * is bounded by its own max_inflight_messages instead.
   */
  int receiveMaximum(int maxInFlight) {
    return isMosquitto() ? 65535 : maxInFlight;
  }

  boolean isMosquitto() {
    return embedded == null;
  }

  int port() {
    return port;
  }

  String uri() {
    return "mqtt://127.0.0.1:" + port;
  }

  /** Stops Mosquitto gracefully (it saves its sessions) and starts it again on the same port. */
  void restart() {
    stop();
    start();
  }

  /** Stops Mosquitto gracefully (SIGTERM: it saves its sessions); {@link #start()} brings it back. */
  void stop() {
    requireMosquitto().stop();
  }

  /** Starts a stopped Mosquitto again on the same port with the same configuration. */
  void start() {
    requireMosquitto().startAgain();
  }

  private Mosquitto requireMosquitto() {
    if (!isMosquitto()) {
      throw new IllegalStateException("stopping and starting need Mosquitto");
    }
    return mosquitto;
  }

  /** Mosquitto's log so far; empty for the embedded broker. */
  String log() {
    return isMosquitto() ? mosquitto.log() : "";
  }

  @Override
  public void close() throws Exception {
    if (embedded != null) {
      embedded.close();
      return;
    }
    mosquitto.close();
  }
}
