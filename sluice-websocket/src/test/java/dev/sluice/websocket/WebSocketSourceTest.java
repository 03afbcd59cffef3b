package dev.sluice.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import dev.sluice.spi.ConnectionState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The source against a real Jetty WebSocket server on loopback, through real pipelines. */
@Timeout(30)
@Tag("broker")
class WebSocketSourceTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void tenThousandMessagesThroughFourOrderedWorkersArriveAllInOrder() throws Exception {
    List<String> subscribes = new CopyOnWriteArrayList<>();
    try (TestServer server = TestServer.start(conn -> {
      subscribes.add(conn.awaitText());
      for (int i = 1; i <= 10_000; i++) {
        conn.send(Integer.toString(i));
      }
      conn.close(1000, "done");
    })) {
      WebSocketSource source = WebSocketSource.builder(server.uri("/numbers"))
          .subscribeMessage("{\"subscribe\":\"numbers\"}").noReconnect().build();
      List<Integer> results = Collections.synchronizedList(new ArrayList<>());
      Pipeline pipeline = Sluice.from(source).workers(4).ordering(Ordering.ORDERED)
          .process(Integer::parseInt).to(Sinks.collection(results)).start();

      Stats stats = pipeline.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(results).containsExactlyElementsOf(
          IntStream.rangeClosed(1, 10_000).boxed().collect(Collectors.toList()));
      assertThat(stats.completed()).isEqualTo(10_000);
      assertThat(subscribes).containsExactly("{\"subscribe\":\"numbers\"}");
      WebSocketStats ws = source.stats();
      assertThat(ws.received()).isEqualTo(10_000);
      assertThat(ws.dropped()).isZero();
      assertThat(ws.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(ws.lastCloseCode()).isEqualTo(1000);
      assertThat(ws.lastCloseReason()).isEqualTo("done");
    }
  }

  @Test
  void fragmentedTextAndBinaryMessagesAreReassembled() throws Exception {
    try (TestServer server = TestServer.start(conn -> {
      conn.sendPartial("hel", false);
      conn.sendPartial("lo", true);
      conn.sendPartialBinary("wor".getBytes(StandardCharsets.UTF_8), false);
      conn.sendPartialBinary("ld ✓".getBytes(StandardCharsets.UTF_8), true);
      conn.close(1000, "");
    })) {
      WebSocketSource source = WebSocketSource.builder(server.uri("/frag")).noReconnect().build();
      List<String> results = Collections.synchronizedList(new ArrayList<>());
      Pipeline pipeline = Sluice.from(source).workers(1)
          .processMessages((Message<String> m, int attempt) ->
              m.headers().get("websocket.type") + ":" + m.payload() + "#" + m.sequence())
          .to(Sinks.collection(results)).start();

      pipeline.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(results).containsExactly("text:hello#1", "binary:world ✓#2");
    }
  }

  @Test
  void oversizeAndMalformedMessagesAreDeadLetteredWithCauseAndTheConnectionIsKept()
      throws Exception {
    try (TestServer server = TestServer.start(conn -> {
      conn.send("first");
      conn.send("x".repeat(100));
      conn.send("second");
      conn.sendBinary(new byte[] {(byte) 0xC3, (byte) 0x28});     // not UTF-8
      conn.sendPartialBinary(new byte[10], false);
      conn.sendPartialBinary(new byte[10], true);                // 20 bytes in two fragments
      conn.send("third");
      conn.close(1000, "");
    })) {
      List<DeadLetter<String>> dead = new CopyOnWriteArrayList<>();
      WebSocketSource source = WebSocketSource.builder(server.uri("/bad"))
          .maxMessageSize(16).noReconnect().build();
      List<String> results = Collections.synchronizedList(new ArrayList<>());
      Pipeline pipeline = Sluice.from(source).workers(2).ordering(Ordering.ORDERED)
          .process(s -> s).to(Sinks.collection(results)).deadLetters(Sinks.collection(dead))
          .start();

      Stats stats = pipeline.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(results).containsExactly("first", "second", "third");
      assertThat(dead).hasSize(3);
      assertThat(stats.deadLettered()).isEqualTo(3);
      assertThat(dead.get(0).cause()).isInstanceOf(MessageTooLargeException.class)
          .hasMessage("message of 100 bytes exceeds maxMessageSize 16");
      assertThat(dead.get(0).message().payload()).isEqualTo("x".repeat(100));
      assertThat(dead.get(0).attempts()).isZero();
      assertThat(dead.get(1).cause()).isInstanceOf(MalformedMessageException.class)
          .hasMessageContaining("binary message of 2 bytes is not valid UTF-8");
      assertThat(dead.get(1).message().payload()).isEqualTo("wyg=");
      assertThat(dead.get(2).cause()).isInstanceOf(MessageTooLargeException.class)
          .hasMessage("message of 20 bytes exceeds maxMessageSize 16");
      assertThat(server.connections).hasSize(1);
      assertThat(source.stats().deadLettered()).isEqualTo(3);
      assertThat(source.stats().received()).isEqualTo(6);
    }
  }

  @Test
  void aServerRestartedMidStreamIsReconnectedToWithTheSubscribeMessageAndTheStreamGoesOn()
      throws Exception {
    List<String> subscribes = new CopyOnWriteArrayList<>();
    TestServer first = TestServer.start(conn -> {
      subscribes.add(conn.awaitText());
      for (int i = 1; i <= 500; i++) {
        conn.send(Integer.toString(i));
      }
    });
    int port = first.port();
    WebSocketSource source = WebSocketSource.builder(first.uri("/feed"))
        .subscribeMessage("subscribe numbers")
        .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).build();
    List<Integer> results = Collections.synchronizedList(new ArrayList<>());
    Pipeline pipeline = Sluice.from(source).workers(2).ordering(Ordering.ORDERED)
        .process(Integer::parseInt).to(Sinks.collection(results)).start();
    await().atMost(WAIT).until(() -> results.size() == 500);

    first.connection(1).close(1012, "restarting");
    first.close();
    try (TestServer second = TestServer.startOn(port, conn -> {
      subscribes.add(conn.awaitText());
      for (int i = 501; i <= 1000; i++) {
        conn.send(Integer.toString(i));
      }
    })) {
      await().atMost(WAIT).until(() -> results.size() == 1000);
      source.close();
      pipeline.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(results).containsExactlyElementsOf(
          IntStream.rangeClosed(1, 1000).boxed().collect(Collectors.toList()));
      assertThat(subscribes).containsExactly("subscribe numbers", "subscribe numbers");
      WebSocketStats stats = source.stats();
      assertThat(stats.reconnects()).isGreaterThanOrEqualTo(1);
      assertThat(stats.lastCloseCode()).isEqualTo(1012);
      assertThat(stats.lastCloseReason()).isEqualTo("restarting");
      assertThat(stats.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(second.connections).hasSize(1);
    }
  }

  @Test
  void headersComeFromLiteralsFilesAndTheEnvironmentAndAreNeverShownAndPingsGetPongs(
      @TempDir Path dir) throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "Bearer s3cret\n");
    try (TestServer server = TestServer.start(conn -> {
      conn.ping("anyone?".getBytes(StandardCharsets.UTF_8));
      conn.send("hi");
      conn.texts.take();          // the test says when to close
      conn.close(1000, "");
    })) {
      WebSocketSource source = WebSocketSource.builder(server.uri("/h?apikey=q5ecret"))
          .headerFromFile("Authorization", token).header("X-Feed", "alpha")
          .headerFromEnv("X-Path", "PATH").noReconnect().build();
      List<String> results = new CopyOnWriteArrayList<>();
      Pipeline pipeline = Sluice.from(source).workers(1).process(s -> s)
          .to(Sinks.collection(results)).start();
      TestServer.Conn conn = server.connection(1);
      await().atMost(WAIT).until(() -> conn.pongs.get() == 1 && results.size() == 1);
      conn.texts.add("close");
      pipeline.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(results).containsExactly("hi");
      assertThat(conn.headers).containsEntry("authorization", "Bearer s3cret")
          .containsEntry("x-feed", "alpha").containsEntry("x-path", System.getenv("PATH"));
      assertThat(source.toString()).doesNotContain("s3cret").doesNotContain("q5ecret")
          .contains("ws://127.0.0.1:" + server.port() + "/h");
    }
  }
}
