package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sqs.server.EmbeddedSqsServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * {@code sluice run} from one SQS queue to another through an embedded ElasticMQ, in process;
 * credentials reach the SDK through the surefire system properties (its default chain).
 */
@Timeout(120)
@Tag("broker")
class RunSqsTest {

  private static EmbeddedSqsServer server;
  private static SqsClient client;

  @BeforeAll
  static void start() {
    server = EmbeddedSqsServer.start(0, Duration.ofSeconds(60));
    client = SqsClient.builder().region(Region.US_EAST_1).endpointOverride(server.endpoint())
        .credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void runReadsAQueueAndWritesEachResultToAnother() {
    String in = client.createQueue(b -> b.queueName("cli-in")).queueUrl();
    client.createQueue(b -> b.queueName("cli-out"));
    List<String> words = IntStream.range(0, 25).mapToObj(i -> "w" + i).collect(Collectors.toList());
    for (int from = 0; from < words.size(); from += 10) {
      List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
      for (int i = from; i < Math.min(words.size(), from + 10); i++) {
        batch.add(SendMessageBatchRequestEntry.builder().id("e" + i).messageBody(words.get(i)).build());
      }
      client.sendMessageBatch(b -> b.queueUrl(in).entries(batch));
    }
    String endpoint = "endpoint=" + server.endpoint() + "&region=us-east-1";
    CommandRun run = CommandRun.of("run",
        "--source", "sqs://cli-in?" + endpoint + "&wait=1s&stop-after=25",
        "--processor", "dev.sluice.cli.testing.Shout", "--workers", "3",
        "--sink", "sqs:" + server.endpoint() + "/000000000000/cli-out?region=us-east-1");
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> out = new ArrayList<>();
    String outUrl = client.getQueueUrl(b -> b.queueName("cli-out")).queueUrl();
    while (out.size() < 25) {
      var got = client.receiveMessage(b -> b.queueUrl(outUrl).maxNumberOfMessages(10)
          .waitTimeSeconds(1)).messages();
      got.forEach(m -> out.add(m.body()));
      if (got.isEmpty()) {
        break;
      }
    }
    assertThat(out).containsExactlyInAnyOrderElementsOf(
        words.stream().map(w -> w.toUpperCase() + "!").collect(Collectors.toList()));
    assertThat(client.getQueueAttributes(b -> b.queueUrl(in).attributeNamesWithStrings(
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings())
        .allSatisfy((name, value) -> assertThat(value).as(name).isEqualTo("0"));
  }

  @Test
  void aUriWithAKeyInItIsRefusedWithOneLineSayingWhereCredentialsComeFrom() {
    CommandRun run = CommandRun.of("run", "--source", "sqs://jobs?region=eu-west-1&secret=abc",
        "--exec", "cat");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).contains("no keys in URIs").contains("AWS_ACCESS_KEY_ID")
        .doesNotContain("abc");
  }

  @Test
  void aBadWaitIsOneLineNamingIt() {
    CommandRun run = CommandRun.of("run", "--source", "sqs://jobs?region=eu-west-1&wait=30s",
        "--exec", "cat");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("wait must be whole seconds from 0s to 20s");
  }

  @Test
  void aQueueThatDoesNotExistFailsTheRunWithExitOneAndNoStackTrace() {
    CommandRun run = CommandRun.of("run", "--source", "sqs://no-such-queue?region=us-east-1&endpoint="
        + server.endpoint(), "--exec", "cat");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.errLines()).as(run.err()).noneMatch(l -> l.startsWith("\tat "))
        .anyMatch(l -> l.startsWith("sluice run: the run failed")
            && l.contains("SQS queue 'no-such-queue' does not exist: create it first"));
  }
}
