package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
import dev.sluice.Partition;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.mqtt.MqttSink;
import dev.sluice.mqtt.MqttSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --partition I/N}: three real {@code sluice run} copies on one feed that each receives
 * in full (a plain MQTT subscription, a WebSocket feed) process every message exactly once
 * between them, each key in one copy only, and acknowledge the rest as skipped.
 */
@Timeout(180)
@Tag("broker")
class RunPartitionTest {

  private static final int MESSAGES = 3_000;
  private static final int KEYS = 50;
  private static final int COPIES = 3;
  private static final Pattern SUMMARY =
      Pattern.compile("^sluice run: received (\\d+), done (\\d+), .*?skipped (\\d+), ");

  @TempDir
  Path dir;

  private static String payload(int n) {
    return "{\"key\":\"k" + (n % KEYS) + "\",\"n\":" + n + "}";
  }

  private Path tagScript() throws Exception {
    Path work = dir.resolve("tag.sh");
    Files.writeString(work, """
        #!/bin/sh
        while IFS= read -r line; do echo "$INSTANCE $line"; done
        """);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    return work;
  }

  @Test
  void threeCopiesOnOnePlainMqttSubscriptionShareTheWorkByTheOrderingKey() throws Exception {
    Path work = tagScript();
    try (CliTestBroker broker = CliTestBroker.start(dir)) {
      List<String> results = new CopyOnWriteArrayList<>();
      MqttSource collector = MqttSource.builder()
          .uri(broker.uri() + "/results?qos=1&client-id=collector&receive-maximum="
              + broker.receiveMaximum(64))
          .build();
      Pipeline collecting = Sluice.from(collector).workers(1)
          .process(bytes -> new String(bytes, StandardCharsets.UTF_8))
          .to(Sinks.collection(results)).start();
      collector.subscribed().get(30, TimeUnit.SECONDS);

      List<SluiceProcess> copies = new ArrayList<>();
      try {
        for (int i = 0; i < COPIES; i++) {
          // no --partition-key: the --ordering key is the partition key
          copies.add(SluiceProcess.start(dir, "run",
              "--source", broker.uri() + "/jobs?qos=1&client-id=copy-" + i
                  + "&receive-maximum=" + broker.receiveMaximum(32),
              "--partition", i + "/" + COPIES, "--ordering", "key=json:/key",
              "--exec", work.toString(), "--exec-env", "INSTANCE=" + i,
              "--workers", "2", "--max-in-flight", "16", "--log-every", "100ms",
              "--sink", broker.uri() + "/results?qos=1&client-id=copy-" + i + "-out"));
        }
        for (SluiceProcess copy : copies) {
          await().atMost(Duration.ofSeconds(60)).until(() -> copy.err().stream()
              .anyMatch(l -> l.startsWith("sluice run: subscribed to [jobs]")));
        }

        MqttSink<Object> publisher = MqttSink.builder()
            .uri(broker.uri() + "/jobs?qos=1&client-id=publisher").connect();
        for (int n = 0; n < MESSAGES; n++) {
          publisher.write(payload(n), Message.of(payload(n))).toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
        }
        publisher.close();

        assertEachMessageOnceByKeyOwner(copies, results);
      } finally {
        copies.forEach(SluiceProcess::close);
        collecting.close();
        collector.close();
      }
    }
  }

  @Test
  void threeCopiesOnOneWebSocketFeedShareTheWorkByThePartitionKey() throws Exception {
    Path work = tagScript();
    List<String> results = new CopyOnWriteArrayList<>();
    List<String> subscriptions = new CopyOnWriteArrayList<>();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    List<String> feed = IntStream.range(0, MESSAGES).mapToObj(RunPartitionTest::payload).toList();
    server.setHandler(WebSocketUpgradeHandler.from(server, container ->
        container.addMapping("/*", (request, response, callback) ->
            request.getHttpURI().getPath().equals("/results")
                ? new RunWebSocketTest.Collector(results)
                : new RunWebSocketTest.Feed(subscriptions, feed))));
    server.start();
    String base = "ws://127.0.0.1:" + connector.getLocalPort();
    List<SluiceProcess> copies = new ArrayList<>();
    try {
      for (int i = 0; i < COPIES; i++) {
        copies.add(SluiceProcess.start(dir, "run",
            "--source", base + "/feed", "--source-subscribe", "subscribe",
            "--partition", i + "/" + COPIES, "--partition-key", "json:/key",
            "--exec", work.toString(), "--exec-env", "INSTANCE=" + i,
            "--workers", "2", "--log-every", "100ms",
            "--sink", base + "/results"));
      }
      assertEachMessageOnceByKeyOwner(copies, results);
      assertThat(subscriptions).hasSize(COPIES);
    } finally {
      copies.forEach(SluiceProcess::close);
      server.stop();
    }
  }

  /**
   * Waits for every copy to have settled every message (done + skipped), stops them, and checks
   * that each result arrived once, from the copy that owns its key, and the counts add up.
   */
  private static void assertEachMessageOnceByKeyOwner(List<SluiceProcess> copies,
      List<String> results) {
    for (SluiceProcess copy : copies) {
      await().atMost(Duration.ofSeconds(120))
          .failFast("the copy ended: " + copy.err(), () -> !copy.isAlive())
          .until(() -> copy.err().stream().map(SUMMARY::matcher).filter(Matcher::find)
              .anyMatch(m -> Long.parseLong(m.group(2)) + Long.parseLong(m.group(3))
                  == MESSAGES));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> results.size() >= MESSAGES);
    long skippedTotal = 0;
    Map<Integer, Long> doneBy = new HashMap<>();
    for (int i = 0; i < COPIES; i++) {
      SluiceProcess copy = copies.get(i);
      copy.terminate();
      assertThat(copy.awaitExit()).as("stderr: %s", copy.err()).isZero();
      Matcher last = copy.err().stream().map(SUMMARY::matcher).filter(Matcher::find)
          .reduce((a, b) -> b).orElseThrow();
      long received = Long.parseLong(last.group(1));
      long done = Long.parseLong(last.group(2));
      long skipped = Long.parseLong(last.group(3));
      assertThat(done).as("copy %d", i).isEqualTo(received);
      assertThat(done + skipped).as("copy %d", i).isEqualTo(MESSAGES);
      doneBy.put(i, done);
      skippedTotal += skipped;
    }
    assertThat(skippedTotal).isEqualTo((long) (COPIES - 1) * MESSAGES);

    List<Integer> seen = new ArrayList<>();
    Map<String, Integer> keyOwner = new HashMap<>();
    Map<Integer, Long> resultsBy = new HashMap<>();
    Pattern result = Pattern.compile("^(\\d) \\{\"key\":\"(k\\d+)\",\"n\":(\\d+)}$");
    for (String r : results) {
      Matcher m = result.matcher(r);
      assertThat(m.matches()).as("result '%s'", r).isTrue();
      int copy = Integer.parseInt(m.group(1));
      String key = m.group(2);
      assertThat(Partition.ownerOf(key, COPIES)).as("owner of %s", key).isEqualTo(copy);
      assertThat(keyOwner.putIfAbsent(key, copy)).as("copies of key %s", key)
          .isIn(null, copy);
      seen.add(Integer.parseInt(m.group(3)));
      resultsBy.merge(copy, 1L, Long::sum);
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, MESSAGES).boxed().toList());
    assertThat(keyOwner).hasSize(KEYS);
    assertThat(resultsBy).isEqualTo(doneBy);
  }
}
