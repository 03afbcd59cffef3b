package dev.sluice.websocket;

import dev.sluice.Message;
import java.net.ServerSocket;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * The Reactive Streams TCK (Flow flavour) against {@link WebSocketSource}, each publisher a
 * fresh connection to a Jetty server that sends the requested number of messages and closes
 * with 1000. TestNG runs it beside JUnit through the JUnit Platform's TestNG engine.
 *
 * <p>Not applicable: the tests that need more than {@value #MAX_ELEMENTS} elements (a finite
 * test feed; the demand arithmetic up to {@code Long.MAX_VALUE} is the same code either way).
 */
@Test(groups = "broker")
public class WebSocketSourceTckTest extends FlowPublisherVerification<Message<String>> {

  private static final long MAX_ELEMENTS = 1024;
  private TestServer server;

  public WebSocketSourceTckTest() {
    super(new TestEnvironment(1000, 100));   // wait for signals up to 1 s, for silence 100 ms
  }

  @BeforeClass
  public void startServer() throws Exception {
    server = TestServer.start(conn -> {
      long count = Long.parseLong(conn.path.substring(conn.path.lastIndexOf('/') + 1));
      for (long i = 0; i < count; i++) {
        conn.send(Long.toString(i));
      }
      conn.close(1000, "");
    });
  }

  @AfterClass
  public void stopServer() throws Exception {
    server.close();
  }

  @Override
  public Flow.Publisher<Message<String>> createFlowPublisher(long elements) {
    return WebSocketSource.builder(server.uri("/count/" + elements)).noReconnect().build();
  }

  @Override
  public Flow.Publisher<Message<String>> createFailedFlowPublisher() {
    int port;
    try (ServerSocket unused = new ServerSocket(0)) {
      port = unused.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return WebSocketSource.builder("ws://127.0.0.1:" + port + "/nobody").noReconnect().build();
  }

  @Override
  public long maxElementsFromPublisher() {
    return MAX_ELEMENTS;
  }
}
