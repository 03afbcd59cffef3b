package dev.sluice.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.Pipeline;
import dev.sluice.PipelineException;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sink against a real Jetty WebSocket server on loopback. */
@Timeout(30)
@Tag("broker")
class WebSocketSinkTest {

  @Test
  void resultsArriveAsTextMessagesInOrderAfterTheSubscribeMessage() throws Exception {
    try (TestServer server = TestServer.start(conn -> { })) {
      WebSocketSink<Integer> sink = WebSocketSink.builder(server.uri("/results"))
          .subscribeMessage("hello from sluice").header("X-Token", "t0ken").build();
      Pipeline pipeline = Sluice.from(Sources.fromIterable(
              IntStream.rangeClosed(1, 1000).boxed().collect(Collectors.toList())))
          .workers(4).ordering(dev.sluice.Ordering.ORDERED).process(i -> i * 2).to(sink).start();

      assertThat(pipeline.completion().get(20, TimeUnit.SECONDS).completed()).isEqualTo(1000);

      TestServer.Conn conn = server.connection(1);
      assertThat(conn.closed.await(10, TimeUnit.SECONDS)).as("closed by the sink").isTrue();
      List<String> expected = IntStream.rangeClosed(1, 1000).mapToObj(i -> Integer.toString(2 * i))
          .collect(Collectors.toList());
      expected.add(0, "hello from sluice");
      assertThat(conn.log).containsExactlyElementsOf(expected);
      assertThat(conn.headers).containsEntry("x-token", "t0ken");
      assertThat(sink.toString()).doesNotContain("t0ken");
    }
  }

  @Test
  void aWriteCompletesOnlyOnceTheMessageIsSent() throws Exception {
    try (TestServer server = TestServer.start(conn -> { })) {
      WebSocketSink<String> sink = WebSocketSink.builder(server.uri("/one")).build();
      CompletableFuture<Void> write = sink.write("one", null).toCompletableFuture();
      write.get(10, TimeUnit.SECONDS);
      TestServer.Conn conn = server.connection(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> conn.log.size() == 1);
      assertThat(conn.log).containsExactly("one");
      sink.write("two", null).toCompletableFuture().get(10, TimeUnit.SECONDS);
      sink.close();
      assertThat(conn.closed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(conn.log).containsExactly("one", "two");
    }
  }

  @Test
  void aSinkThatCannotConnectFailsThePipelineWithTheCause() throws Exception {
    int port;
    try (ServerSocket unused = new ServerSocket(0)) {
      port = unused.getLocalPort();
    }
    WebSocketSink<String> sink = WebSocketSink.builder("ws://127.0.0.1:" + port + "/none").build();
    Pipeline pipeline = Sluice.from(Sources.fromIterable(List.of("a"))).workers(1)
        .process(s -> s).to(sink).start();

    assertThatThrownBy(() -> pipeline.completion().get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(PipelineException.class)
        .hasMessageContaining("ws://127.0.0.1:" + port + "/none: cannot send: "
            + "nothing listens there (connection refused)");
  }
}
