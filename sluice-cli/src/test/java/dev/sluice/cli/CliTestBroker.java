package dev.sluice.cli;

import dev.sluice.mqtt.broker.EmbeddedBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real MQTT broker for the runner's tests: Mosquitto on a free loopback port when it is
 * installed (as CI does), else the embedded HiveMQ CE broker.
 */
final class CliTestBroker implements AutoCloseable {

  private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

  private final int port;
  private final Process mosquitto;
  private final EmbeddedBroker embedded;

  private CliTestBroker(int port, Process mosquitto, EmbeddedBroker embedded) {
    this.port = port;
    this.mosquitto = mosquitto;
    this.embedded = embedded;
  }

  static CliTestBroker start(Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(MOSQUITTO)) {
      EmbeddedBroker broker = EmbeddedBroker.start(0, Duration.ofSeconds(60));
      return new CliTestBroker(broker.port(), null, broker);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(conf, String.join("\n", "listener " + port + " 127.0.0.1",
        "allow_anonymous true", "user root", "max_inflight_messages 32",
        "max_queued_messages 100000", ""));
    Process p = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accepts(port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("mosquitto did not start: "
            + Files.readString(dir.resolve("mosquitto.log")));
      }
      Thread.onSpinWait();
    }
    return new CliTestBroker(port, p, null);
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
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
    mosquitto.destroy();
    if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
      mosquitto.destroyForcibly().waitFor();
    }
  }
}
