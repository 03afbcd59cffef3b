package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
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
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT in and out: two real {@code sluice run} processes share one subscription
 * ({@code share=scorers}), run each message through a shell script and publish the results;
 * the test publishes the input and collects the output with the library's own MQTT source
 * and sink.
 */
@Timeout(120)
@Tag("broker")
class RunMqttTest {

  private static final int MESSAGES = 60;

  @TempDir
  Path dir;

  @Test
  void twoRunnersInAShareGroupProcessEveryMessageOnceBetweenThem() throws Exception {
    Path work = dir.resolve("tag.sh");
    Files.writeString(work, """
        #!/bin/sh
        while IFS= read -r line; do echo "$INSTANCE $line"; done
        """);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (CliTestBroker broker = CliTestBroker.start(dir)) {
      List<String> results = Collections.synchronizedList(new ArrayList<>());
      MqttSource collector = MqttSource.builder()
          .uri(broker.uri() + "/results?qos=1&client-id=collector&receive-maximum="
              + broker.receiveMaximum(64))
          .build();
      Pipeline collecting = Sluice.from(collector).workers(1)
          .process(bytes -> new String(bytes, StandardCharsets.UTF_8))
          .to(Sinks.collection(results)).start();
      collector.subscribed().get(30, TimeUnit.SECONDS);

      List<SluiceProcess> runners = new ArrayList<>();
      try {
        for (String instance : List.of("one", "two")) {
          runners.add(SluiceProcess.start(dir, "run",
              "--source", broker.uri() + "/jobs?qos=1&share=scorers&client-id=runner-"
                  + instance + "&receive-maximum=" + broker.receiveMaximum(32),
              "--exec", work.toString(), "--exec-env", "INSTANCE=" + instance,
              "--workers", "2", "--max-in-flight", "32",
              "--sink", broker.uri() + "/results?qos=1&client-id=runner-" + instance + "-out"));
        }
        for (SluiceProcess runner : runners) {
          await().atMost(Duration.ofSeconds(60)).until(() -> runner.err().stream()
              .anyMatch(l -> l.startsWith("sluice run: subscribed to [$share/scorers/jobs]")));
        }

        MqttSink<Object> publisher = MqttSink.builder()
            .uri(broker.uri() + "/jobs?qos=1&client-id=publisher").connect();
        for (int i = 1; i <= MESSAGES; i++) {
          publisher.write("job-" + i, Message.of("job-" + i)).toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
        }
        publisher.close();

        await().atMost(Duration.ofSeconds(60)).until(() -> results.size() >= MESSAGES);
        List<String> jobs = results.stream().map(r -> r.substring(r.indexOf(' ') + 1)).toList();
        assertThat(jobs).containsExactlyInAnyOrderElementsOf(
            IntStream.rangeClosed(1, MESSAGES).mapToObj(i -> "job-" + i).toList());
        if (broker.spreadsSharedSubscriptions()) {
          assertThat(results).anyMatch(r -> r.startsWith("one "))
              .anyMatch(r -> r.startsWith("two "));
        }

        for (SluiceProcess runner : runners) {
          runner.terminate();
          assertThat(runner.awaitExit()).as("stderr: %s", runner.err()).isZero();
        }
      } finally {
        runners.forEach(SluiceProcess::close);
        collecting.close();
        collector.close();
      }
    }
  }
}
