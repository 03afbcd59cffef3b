package dev.sluice.cli.readme;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import dev.sluice.mqtt.broker.EmbeddedBroker;
import dev.sluice.mqtt.broker.Mosquitto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker the README's MQTT snippets are pointed at. With Mosquitto installed (CI installs
 * it): one Mosquitto configured with the README's own broker settings (the untyped block with
 * {@code max_queued_messages}, so a typo there fails here), and two loopback listeners on free
 * ports: one that checks passwords ({@code password_file}, {@code allow_anonymous false}) for
 * snippets that name a user, one open for those that do not. Without Mosquitto: the embedded
 * broker on one port for both, which checks no password. Thread-safe once started.
 */
final class ReadmeBroker implements AutoCloseable {

  private final int authPort;
  private final int openPort;
  private final Mosquitto mosquitto;
  private final EmbeddedBroker embedded;

  private ReadmeBroker(int authPort, int openPort, Mosquitto mosquitto, EmbeddedBroker embedded) {
    this.authPort = authPort;
    this.openPort = openPort;
    this.mosquitto = mosquitto;
    this.embedded = embedded;
  }

  /** Starts a broker whose password-checking listener knows {@code user}/{@code password}. */
  static ReadmeBroker start(Readme readme, Path dir, String user, String password)
      throws IOException {
    if (!Mosquitto.installed()) {
      EmbeddedBroker broker = EmbeddedBroker.start(0, Duration.ofSeconds(60));
      return new ReadmeBroker(broker.port(), broker.port(), null, broker);
    }
    Path passwords = Files.writeString(dir.resolve("mosquitto.passwd"),
        Mosquitto.passwordLine(user, password) + "\n");
    int authPort = Mosquitto.freePort();
    int openPort = Mosquitto.freePort();
    Readme.Block settings = readme.block("max_queued_messages");
    List<String> config = new ArrayList<>();
    config.add("# README.md's settings for Mosquitto 2.x (block at line " + settings.line() + "):");
    config.addAll(settings.text().lines().toList());
    config.addAll(List.of("# the test's own:",
        "persistence_location " + dir + "/", "user root", "per_listener_settings true",
        "listener " + authPort + " 127.0.0.1", "allow_anonymous false",
        "password_file " + passwords,
        "listener " + openPort + " 127.0.0.1", "allow_anonymous true"));
    return new ReadmeBroker(authPort, openPort,
        Mosquitto.start(dir, List.of(authPort, openPort), config), null);
  }

  /** The port that checks passwords (Mosquitto); the embedded broker's one port otherwise. */
  int authPort() {
    return authPort;
  }

  /** The port that lets anonymous clients in. */
  int openPort() {
    return openPort;
  }

  /** A test client's settings; with {@code user}, for the password-checking port. */
  Mqtt5ClientBuilder clientBuilder(String clientId, String user, String password) {
    Mqtt5ClientBuilder builder = Mqtt5Client.builder().identifier(clientId)
        .serverHost("127.0.0.1").serverPort(user == null ? openPort : authPort);
    return user == null ? builder : builder.simpleAuth().username(user)
        .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
  }

  /** A connected test client; with {@code user}, on the password-checking port. */
  Mqtt5BlockingClient client(String clientId, String user, String password) {
    Mqtt5BlockingClient client = clientBuilder(clientId, user, password).buildBlocking();
    client.connect();
    return client;
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    } else {
      mosquitto.close();
    }
  }
}
