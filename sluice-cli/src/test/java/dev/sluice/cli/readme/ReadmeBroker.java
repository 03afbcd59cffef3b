package dev.sluice.cli.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.sluice.mqtt.broker.EmbeddedBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The broker the README's MQTT snippets are pointed at. With Mosquitto installed (CI installs
 * it): one Mosquitto configured with the README's own broker settings (the untyped block with
 * {@code max_queued_messages}, so a typo there fails here), and two loopback listeners on free
 * ports: one that checks passwords ({@code password_file}, {@code allow_anonymous false}) for
 * snippets that name a user, one open for those that do not. Without Mosquitto: the embedded
 * broker on one port for both, which checks no password. Thread-safe once started.
 */
final class ReadmeBroker implements AutoCloseable {

  private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
  private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

  private final int authPort;
  private final int openPort;
  private final Process mosquitto;
  private final EmbeddedBroker embedded;

  private ReadmeBroker(int authPort, int openPort, Process mosquitto, EmbeddedBroker embedded) {
    this.authPort = authPort;
    this.openPort = openPort;
    this.mosquitto = mosquitto;
    this.embedded = embedded;
  }

  /** Starts a broker whose password-checking listener knows {@code user}/{@code password}. */
  static ReadmeBroker start(Readme readme, Path dir, String user, String password)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(MOSQUITTO)) {
      EmbeddedBroker broker = EmbeddedBroker.start(0, Duration.ofSeconds(60));
      return new ReadmeBroker(broker.port(), broker.port(), null, broker);
    }
    Path passwords = dir.resolve("mosquitto.passwd");
    Process passwd = new ProcessBuilder(MOSQUITTO_PASSWD.toString(), "-b", "-c",
        passwords.toString(), user, password).redirectErrorStream(true).start();
    String passwdOutput =
        new String(passwd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(passwd.waitFor()).as("mosquitto_passwd: %s", passwdOutput).isZero();
    int authPort = freePort();
    int openPort = freePort();
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(conf, "# README.md's settings for Mosquitto 2.x (block at line "
        + readme.block("max_queued_messages").line() + "):\n"
        + readme.block("max_queued_messages").text()
        + String.join("\n", "# the test's own:",
            "persistence_location " + dir + "/", "user root", "per_listener_settings true",
            "listener " + authPort + " 127.0.0.1", "allow_anonymous false",
            "password_file " + passwords,
            "listener " + openPort + " 127.0.0.1", "allow_anonymous true", ""));
    Path log = dir.resolve("mosquitto.log");
    Process p = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .failFast("mosquitto exited", () -> !p.isAlive())
          .until(() -> accepts(authPort) && accepts(openPort));
    } catch (RuntimeException e) {
      p.destroyForcibly();
      throw new AssertionError("mosquitto did not start with " + conf + ": "
          + Files.readString(log), e);
    }
    return new ReadmeBroker(authPort, openPort, p, null);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The port that checks passwords (Mosquitto); the embedded broker's one port otherwise. */
  int authPort() {
    return authPort;
  }

  /** The port that lets anonymous clients in. */
  int openPort() {
    return openPort;
  }

  /** A connected test client; with {@code user}, on the password-checking port. */
  Mqtt5BlockingClient client(String clientId, String user, String password) {
    var builder = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1")
        .serverPort(user == null ? openPort : authPort);
    if (user != null) {
      builder = builder.simpleAuth().username(user)
          .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
    }
    Mqtt5BlockingClient client = builder.buildBlocking();
    client.connect();
    return client;
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
