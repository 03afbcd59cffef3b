package dev.sluice.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.spi.ConnectionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** wss:// against a self-signed certificate made by keytool for 127.0.0.1. */
@Timeout(60)
@Tag("broker")
class TlsTest {

  @TempDir static Path dir;
  private static Path trustStore;
  private static Path passwordFile;
  private static TestServer server;

  @BeforeAll
  static void startServerWithSelfSignedCertificate() throws Exception {
    Path keyStore = dir.resolve("server.p12");
    Path certificate = dir.resolve("server.cer");
    trustStore = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-keystore", keyStore.toString(), "-storetype", "PKCS12",
        "-storepass", "server-pass", "-keypass", "server-pass");
    keytool("-exportcert", "-alias", "server", "-keystore", keyStore.toString(),
        "-storepass", "server-pass", "-file", certificate.toString());
    keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(),
        "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", "trust-pass");
    passwordFile = dir.resolve("trust-password");
    Files.writeString(passwordFile, "trust-pass\n");
    server = TestServer.startTls(conn -> {
      conn.send("secure " + conn.awaitText());
      conn.close(1000, "");
    }, keyStore, "server-pass");
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private static void keytool(String... args) throws Exception {
    String[] argv = new String[args.length + 1];
    argv[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, argv, 1, args.length);
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
  }

  @Test
  void aSelfSignedServerIsTrustedThroughTheGivenTrustStore() throws Exception {
    WebSocketSource source = WebSocketSource.builder(server.uri("/tls"))
        .trustStore(trustStore).trustStorePasswordFromFile(passwordFile)
        .subscribeMessage("hello").noReconnect().build();
    List<String> results = new CopyOnWriteArrayList<>();
    Pipeline pipeline = Sluice.from(source).workers(1).process(s -> s)
        .to(Sinks.collection(results)).start();

    pipeline.completion().get(20, TimeUnit.SECONDS);

    assertThat(results).containsExactly("secure hello");
  }

  @Test
  void theDefaultTrustStoreRefusesTheSelfSignedServer() {
    WebSocketSource source = WebSocketSource.builder(server.uri("/tls")).noReconnect().build();
    Pipeline pipeline = Sluice.from(source).workers(1).process(s -> s).start();

    assertThatThrownBy(() -> pipeline.completion().get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("connection failed")
        .satisfies(e -> assertThat(chain(e)).anyMatch(SSLHandshakeException.class::isInstance));
    assertThat(source.state()).isEqualTo(ConnectionState.FAILED);
  }

  @Test
  void theSinkSendsOverWssWithTheGivenTrustStore() throws Exception {
    WebSocketSink<String> sink = WebSocketSink.builder(server.uri("/tls-sink"))
        .trustStore(trustStore).trustStorePassword("trust-pass").build();
    int before = server.connections.size();
    sink.write("from the sink", null).toCompletableFuture().get(20, TimeUnit.SECONDS);
    TestServer.Conn conn = server.connection(before + 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !conn.log.isEmpty());
    assertThat(conn.log).containsExactly("from the sink");
    sink.close();
    assertThat(conn.closed.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static List<Throwable> chain(Throwable t) {
    List<Throwable> chain = new CopyOnWriteArrayList<>();
    for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    return chain;
  }
}
