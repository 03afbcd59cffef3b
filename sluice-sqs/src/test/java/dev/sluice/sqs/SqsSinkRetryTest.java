package dev.sluice.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * The sink's handling of each batch entry's result, which ElasticMQ cannot be made to fail on
 * its side: a pure unit over a scripted client.
 */
class SqsSinkRetryTest {

  /** Fails the entries whose body starts with "flaky" on their first attempt, as a 500 would. */
  static final class ScriptedClient implements SqsClient {
    final List<List<String>> calls = new ArrayList<>();

    @Override
    public synchronized SendMessageBatchResponse sendMessageBatch(
        Consumer<SendMessageBatchRequest.Builder> request) {
      SendMessageBatchRequest r = SendMessageBatchRequest.builder().applyMutation(request).build();
      List<String> bodies = new ArrayList<>();
      List<SendMessageBatchResultEntry> ok = new ArrayList<>();
      List<BatchResultErrorEntry> failed = new ArrayList<>();
      for (var e : r.entries()) {
        bodies.add(e.messageBody());
        boolean seenBefore = calls.stream().anyMatch(c -> c.contains(e.messageBody()));
        if (e.messageBody().startsWith("flaky") && !seenBefore) {
          failed.add(BatchResultErrorEntry.builder().id(e.id()).senderFault(false)
              .code("InternalError").message("try again").build());
        } else if (e.messageBody().startsWith("refused")) {
          failed.add(BatchResultErrorEntry.builder().id(e.id()).senderFault(true)
              .code("InvalidMessageContents").message("no").build());
        } else {
          ok.add(SendMessageBatchResultEntry.builder().id(e.id()).messageId("m-" + e.id()).build());
        }
      }
      calls.add(bodies);
      return SendMessageBatchResponse.builder().successful(ok).failed(failed).build();
    }

    @Override public String serviceName() { return "sqs"; }
    @Override public void close() { }
  }

  @Test
  void anEntrySqsFailedOnItsSideIsSentAgainAndOneItRefusedFailsItsWrite() throws Exception {
    ScriptedClient client = new ScriptedClient();
    try (SqsSink<String> sink = SqsSink.<String>builder().client(client)
        .queue("http://127.0.0.1:1/000000000000/q").linger(Duration.ofMillis(20)).build()) {
      CompletableFuture<Void> fine = sink.write("fine", null).toCompletableFuture();
      CompletableFuture<Void> flaky = sink.write("flaky", null).toCompletableFuture();
      CompletableFuture<Void> refused = sink.write("refused", null).toCompletableFuture();
      fine.get(10, TimeUnit.SECONDS);
      flaky.get(10, TimeUnit.SECONDS);
      assertThat(refused).failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withMessageContaining("InvalidMessageContents");
      assertThat(sink.retried()).isEqualTo(1);
      assertThat(sink.sent()).isEqualTo(2);
      assertThat(client.calls.get(0)).containsExactly("fine", "flaky", "refused");
      assertThat(client.calls.get(1)).containsExactly("flaky");
    }
  }
}
