package dev.sluice.websocket;

import dev.sluice.Message;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.contract.SourceContract;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/**
 * The source contract against {@link WebSocketSource} and a Jetty server on loopback. The
 * server sends the messages as soon as the connection opens ({@code /count/N}, then closes with
 * 1000, so the source completes; {@code /push/N} keeps the connection open). The malformed
 * message is one over {@code maxMessageSize}. A WebSocket has no acknowledgement and nothing
 * is redelivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("broker")
class WebSocketSourceContractTest extends SourceContract<String> {

  private static final int MAX_MESSAGE = 64;
  private TestServer server;

  @BeforeAll
  void startServer() throws Exception {
    server = TestServer.start(conn -> {
      String[] parts = conn.path.split("/");
      String kind = parts[1];
      long count = Long.parseLong(parts[2]);
      if (kind.equals("malformed")) {
        conn.send("x".repeat(MAX_MESSAGE * 4));
      }
      for (long i = 0; i < count; i++) {
        conn.send("m-" + i);
      }
      if (kind.equals("push")) {
        conn.closed.await(60, TimeUnit.SECONDS);
      } else {
        conn.close(1000, "");
      }
    });
  }

  @AfterAll
  void stopServer() {
    server.close();
  }

  @Override
  protected Fixture<String> withMessages(int n) {
    return fixture(WebSocketSource.builder(server.uri("/count/" + n)).noReconnect().build(), true);
  }

  @Override
  protected Fixture<String> withMalformedFirst(int good) {
    return fixture(WebSocketSource.builder(server.uri("/malformed/" + good))
        .maxMessageSize(MAX_MESSAGE).noReconnect().build(), true);
  }

  @Override
  protected Fixture<String> withOverflow(int n, int capacity, OverflowPolicy policy) {
    return fixture(WebSocketSource.builder(server.uri("/push/" + n)).bufferSize(capacity)
        .overflow(policy).noReconnect().build(), false);
  }

  private static Fixture<String> fixture(WebSocketSource source, boolean completes) {
    return new Fixture<>() {
      @Override public Flow.Publisher<Message<String>> source() { return source; }
      @Override public boolean completes() { return completes; }
      @Override public long arrived() { return source.stats().received(); }
      @Override public void close() { source.close(); }
    };
  }
}
