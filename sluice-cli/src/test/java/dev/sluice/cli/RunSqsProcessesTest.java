package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.sqs.server.EmbeddedSqsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Three real {@code sluice run} processes compete for one SQS queue (an embedded ElasticMQ);
 * one is killed with SIGKILL midway. Every job's result still arrives, and every job done
 * twice was one the killed process had in hand. Credentials reach the children through the
 * environment, the AWS SDK's default chain.
 */
@Timeout(300)
@Tag("broker")
class RunSqsProcessesTest {

  private static final int JOBS = 1500;

  @TempDir
  Path dir;

  @Test
  void threeCompetingRunnersOneKilledMidwayProcessEveryJobAndRepeatOnlyWhatItHeld()
      throws Exception {
    Path work = dir.resolve("tag.sh");
    Files.writeString(work, """
        #!/bin/sh
        while IFS= read -r line; do echo "$INSTANCE $line"; done
        """);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (EmbeddedSqsServer server = EmbeddedSqsServer.start(0, Duration.ofSeconds(60));
        SqsClient client = SqsClient.builder().region(Region.US_EAST_1)
            .endpointOverride(server.endpoint())
            .credentialsProvider(DefaultCredentialsProvider.builder().build()).build()) {
      String jobs = client.createQueue(b -> b.queueName("jobs")
          .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "5"))).queueUrl();
      String results = client.createQueue(b -> b.queueName("results")).queueUrl();
      for (int from = 0; from < JOBS; from += 10) {
        List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
        for (int i = from; i < from + 10; i++) {
          batch.add(SendMessageBatchRequestEntry.builder().id("e" + i).messageBody("job-" + i).build());
        }
        client.sendMessageBatch(b -> b.queueUrl(jobs).entries(batch));
      }
      String at = "region=us-east-1&endpoint=" + server.endpoint();
      Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
      List<SluiceProcess> runners = new ArrayList<>();
      Map<String, List<String>> doneBy = new ConcurrentHashMap<>();   // job -> instances
      try {
        for (String instance : List.of("one", "two", "three")) {
          runners.add(SluiceProcess.start(dir, env, "run",
              "--source", "sqs://jobs?" + at + "&wait=1s",
              "--exec", work.toString(), "--exec-env", "INSTANCE=" + instance,
              "--workers", "2", "--max-in-flight", "16",
              "--sink", "sqs://results?" + at));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> {
          collect(client, results, doneBy);
          return doneBy.values().stream().filter(by -> by.contains("two")).count() >= 200;
        });
        runners.get(1).kill();
        await().atMost(Duration.ofSeconds(180)).until(() -> {
          collect(client, results, doneBy);
          return doneBy.size() == JOBS;
        });
        for (SluiceProcess survivor : List.of(runners.get(0), runners.get(2))) {
          survivor.terminate();
          assertThat(survivor.awaitExit()).as(String.join("\n", survivor.err())).isZero();
        }
        collect(client, results, doneBy);
      } finally {
        runners.forEach(SluiceProcess::kill);
      }
      Set<String> twice = doneBy.entrySet().stream().filter(e -> e.getValue().size() > 1)
          .map(Map.Entry::getKey).collect(Collectors.toSet());
      System.out.printf("jobs done twice after the SIGKILL: %d%n", twice.size());
      assertThat(doneBy).hasSize(JOBS);
      assertThat(twice).allSatisfy(job -> assertThat(doneBy.get(job)).contains("two"));
      assertThat(twice.size()).isLessThanOrEqualTo(16 + 1000);
      assertThat(client.getQueueAttributes(b -> b.queueUrl(jobs).attributeNamesWithStrings(
          "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
          .attributesAsStrings()).allSatisfy((name, value) -> assertThat(value).as(name).isEqualTo("0"));
    }
  }

  /** Receives and deletes one batch of results, noting which instance did each job. */
  private static void collect(SqsClient client, String url,
      Map<String, List<String>> doneBy) {
    var got = client.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)
        .waitTimeSeconds(1)).messages();
    List<DeleteMessageBatchRequestEntry> delete = new ArrayList<>();
    for (int i = 0; i < got.size(); i++) {
      String[] parts = got.get(i).body().split(" ", 2);
      doneBy.computeIfAbsent(parts[1], k -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(parts[0]);
      delete.add(DeleteMessageBatchRequestEntry.builder().id("d" + i)
          .receiptHandle(got.get(i).receiptHandle()).build());
    }
    if (!delete.isEmpty()) {
      client.deleteMessageBatch(b -> b.queueUrl(url).entries(delete));
    }
  }
}
