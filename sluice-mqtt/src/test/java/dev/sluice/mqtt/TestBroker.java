package dev.sluice.mqtt;

import dev.sluice.mqtt.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real broker for one test class: Mosquitto on a free loopback port with a generated config
 * when {@code mosquitto} is installed, else the embedded HiveMQ CE broker. Logs which it used.
 */
final class TestBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TestBroker.class);
  static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

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
  private final Path dir;
  private final EmbeddedBroker embedded;
  private Process mosquitto;

  private TestBroker(int port, Path dir, EmbeddedBroker embedded) {
    this.port = port;
    this.dir = dir;
    this.embedded = embedded;
  }

  static boolean mosquittoInstalled() {
    return Files.isExecutable(MOSQUITTO)
        && !"embedded".equals(System.getProperty("sluice.test.broker"));
  }

  static TestBroker start(String testName) {
    if (mosquittoInstalled()) {
      try {
        Path dir = Files.createTempDirectory("sluice-mosquitto-");
        int port = freePort();
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
            "listener " + port + " 127.0.0.1",
            "allow_anonymous true",
            "user root",
            "persistence_location " + dir + "/",
            "log_dest file " + dir.resolve("mosquitto.log"),
            "log_type error", "log_type warning", "log_type notice", "log_type information",
            "set_tcp_nodelay true",
            System.getProperty("test.conf", RECOMMENDED).replace(";", "\n")), StandardCharsets.UTF_8);
        TestBroker broker = new TestBroker(port, dir, null);
        broker.startMosquitto();
        LOG.info("{}: using Mosquitto ({}) on 127.0.0.1:{}", testName, MOSQUITTO, port);
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

  private void startMosquitto() throws IOException {
    mosquitto = new ProcessBuilder(MOSQUITTO.toString(), "-c",
        dir.resolve("mosquitto.conf").toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accepts(port)) {
      if (!mosquitto.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("mosquitto did not start: " + log()
            + Files.readString(dir.resolve("stdout.log")));
      }
      sleep(20);
    }
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
  void restart() throws IOException, InterruptedException {
    stop();
    start();
  }

  /** Stops Mosquitto gracefully (SIGTERM: it saves its sessions); {@link #start()} brings it back. */
  void stop() throws InterruptedException {
    if (!isMosquitto()) {
      throw new IllegalStateException("stop needs Mosquitto");
    }
    mosquitto.destroy();
    if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
      mosquitto.destroyForcibly().waitFor();
    }
  }

  /** Starts a stopped Mosquitto again on the same port with the same configuration. */
  void start() throws IOException {
    startMosquitto();
  }

  /** Mosquitto's log so far; empty for the embedded broker. */
  String log() {
    try {
      Path log = dir == null ? null : dir.resolve("mosquitto.log");
      return log != null && Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws Exception {
    if (embedded != null) {
      embedded.close();
      return;
    }
    mosquitto.destroy();
    if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
      mosquitto.destroyForcibly().waitFor();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
