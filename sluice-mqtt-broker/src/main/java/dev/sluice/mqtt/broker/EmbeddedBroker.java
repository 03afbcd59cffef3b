package dev.sluice.mqtt.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT 3.1.1 and 5 broker inside this JVM (HiveMQ Community Edition, embedded), listening on
 * 127.0.0.1 only, with shared subscriptions. For {@code sluice demo --via mqtt} and for tests on
 * a machine without Mosquitto. Not for production: it keeps its data in a temporary folder that
 * {@link #close()} deletes.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.start(0, Duration.ofSeconds(30))) {
 *   String uri = broker.uri();        // "mqtt://127.0.0.1:PORT"
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Start.</b> HiveMQ CE has been seen to start without opening its listener, so
 * {@link #start} waits until a TCP connection to the port succeeds and gives up, stopping the
 * broker, when {@code timeout} passes.
 *
 * <p><b>Threads.</b> The broker's threads are its own; {@link #close()} stops them and waits for
 * the stop. Thread-safe: {@code close()} may be called from any thread, more than once.
 */
public final class EmbeddedBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final EmbeddedHiveMQ hivemq;
  private final Path home;
  private final int port;
  private boolean closed;

  private EmbeddedBroker(EmbeddedHiveMQ hivemq, Path home, int port) {
    this.hivemq = hivemq;
    this.home = home;
    this.port = port;
  }

  /**
   * Starts a broker on 127.0.0.1:{@code port} ({@code 0} picks a free port) and waits until it
   * accepts connections.
   *
   * @throws IllegalArgumentException if {@code port} is outside 0..65535 or timeout is not positive
   * @throws IllegalStateException    if the broker did not start within {@code timeout}
   */
  public static EmbeddedBroker start(int port, Duration timeout) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535 but was " + port);
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be > 0 but was " + timeout);
    }
    int chosen = port == 0 ? freePort() : port;
    Path home;
    try {
      home = Files.createTempDirectory("sluice-hivemq-");
      Files.createDirectories(home.resolve("conf"));
      Files.createDirectories(home.resolve("data"));
      Files.createDirectories(home.resolve("extensions"));
      Files.writeString(home.resolve("conf/config.xml"), config(chosen), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the embedded broker's folder", e);
    }
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(home.resolve("conf"))
        .withDataFolder(home.resolve("data"))
        .withExtensionsFolder(home.resolve("extensions"))
        .build();
    EmbeddedBroker broker = new EmbeddedBroker(hivemq, home, chosen);
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      hivemq.start().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      while (!accepts(chosen)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("listener on 127.0.0.1:" + chosen + " did not open");
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      broker.close();
      throw new IllegalStateException("interrupted while starting the embedded broker", e);
    } catch (ExecutionException | TimeoutException e) {
      broker.close();
      throw new IllegalStateException("embedded broker did not start within " + timeout, e);
    }
    LOG.info("embedded MQTT broker (HiveMQ CE) listening on 127.0.0.1:{}", chosen);
    return broker;
  }

  /** The port it listens on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** {@code mqtt://127.0.0.1:PORT}. */
  public String uri() {
    return "mqtt://127.0.0.1:" + port;
  }

  /** Stops the broker and deletes its data folder. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      hivemq.stop().get(30, TimeUnit.SECONDS);
      hivemq.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("embedded broker did not stop cleanly: {}", e.toString());
    }
    try (Stream<Path> paths = Files.walk(home)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", home, e.toString());
    }
  }

  private static String config(int port) {
    return "<?xml version=\"1.0\"?>\n<hivemq>\n"
        + "  <listeners>\n    <tcp-listener>\n      <port>" + port + "</port>\n"
        + "      <bind-address>127.0.0.1</bind-address>\n    </tcp-listener>\n  </listeners>\n"
        + "  <mqtt>\n    <shared-subscriptions><enabled>true</enabled></shared-subscriptions>\n"
        + "    <queued-messages><max-queue-size>1000000</max-queue-size></queued-messages>\n"
        + "  </mqtt>\n"
        + "  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>\n"
        + "</hivemq>\n";
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
