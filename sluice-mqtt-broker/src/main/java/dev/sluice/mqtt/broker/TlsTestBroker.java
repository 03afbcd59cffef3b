package dev.sluice.mqtt.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Mosquitto with TLS for tests, configured as a careful operator would: no anonymous
 * clients, a {@code password_file}, and four TLS listeners on free 127.0.0.1 ports, each
 * serving certificates from {@link TestCertificates}:
 * <ul>
 *   <li>{@link #port()}: a valid certificate for {@code 127.0.0.1}/{@code localhost};</li>
 *   <li>{@link #expiredPort()}: an expired one;</li>
 *   <li>{@link #wrongHostPort()}: one for {@code wrong.example.com};</li>
 *   <li>{@link #mutualPort()}: a valid one, and the client must present a certificate
 *       signed by the same CA (mutual TLS).</li>
 * </ul>
 * Start it only where {@link Mosquitto#installed()}.
 *
 * <p><b>Threads.</b> Not thread-safe: one test thread starts and closes it.
 */
public final class TlsTestBroker implements AutoCloseable {

  private final TestCertificates certificates;
  private final Mosquitto mosquitto;
  private final List<Integer> ports;

  private TlsTestBroker(TestCertificates certificates, Mosquitto mosquitto, List<Integer> ports) {
    this.certificates = certificates;
    this.mosquitto = mosquitto;
    this.ports = ports;
  }

  /**
   * {@link #start}s the broker where Mosquitto is installed; else null, for the test to skip,
   * except in CI ({@link Mosquitto#requiredButMissing()}), where it must fail instead.
   *
   * @throws IllegalStateException in CI without Mosquitto
   */
  public static TlsTestBroker startWhereInstalled(Path dir, String user, String password) {
    if (Mosquitto.requiredButMissing()) {
      throw new IllegalStateException("CI=true but " + Mosquitto.BINARY + " is missing");
    }
    return Mosquitto.installed() ? start(dir, user, password) : null;
  }

  /** Makes certificates in {@code dir} and starts the broker, which knows {@code user} only. */
  public static TlsTestBroker start(Path dir, String user, String password) {
    TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
    Path passwords = dir.resolve("passwd");
    try {
      Files.writeString(passwords, Mosquitto.passwordLine(user, password) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Integer> ports = new ArrayList<>();
    List<String> config = new ArrayList<>(List.of(
        "user root",
        "per_listener_settings false",
        "allow_anonymous false",
        "password_file " + passwords,
        "log_type error", "log_type warning", "log_type notice", "log_type information"));
    Path[] serverCerts = {certs.serverCert(), certs.expiredCert(), certs.wrongHostCert(),
        certs.serverCert()};
    for (int i = 0; i < serverCerts.length; i++) {
      int port = Mosquitto.freePort();
      ports.add(port);
      config.add("listener " + port + " 127.0.0.1");
      config.add("cafile " + certs.caCert());
      config.add("certfile " + serverCerts[i]);
      config.add("keyfile " + certs.serverKey());
      if (i == 3) {
        config.add("require_certificate true");
      }
    }
    Mosquitto mosquitto = Mosquitto.start(dir, ports, config);
    return new TlsTestBroker(certs, mosquitto, List.copyOf(ports));
  }

  public TestCertificates certificates() { return certificates; }

  /** A valid certificate for 127.0.0.1 and localhost. */
  public int port() { return ports.get(0); }

  /** An expired certificate. */
  public int expiredPort() { return ports.get(1); }

  /** A certificate for wrong.example.com. */
  public int wrongHostPort() { return ports.get(2); }

  /** A valid certificate, and a client certificate required. */
  public int mutualPort() { return ports.get(3); }

  /** The broker's log so far. */
  public String log() { return mosquitto.log(); }

  @Override
  public void close() {
    mosquitto.close();
  }
}
