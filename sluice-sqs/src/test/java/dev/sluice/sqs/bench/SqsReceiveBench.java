package dev.sluice.sqs.bench;

import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.sqs.SqsEndpoint;
import dev.sluice.sqs.SqsSource;
import dev.sluice.sqs.server.EmbeddedSqsServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Receive → no-op → delete through a pipeline, against a bare SDK loop (receive 10, delete the
 * batch) on the same embedded ElasticMQ in the same run, alternating, several rounds.
 * Not a test: run it by hand (see BENCHMARKS.md) with the test classpath and
 * {@code -Daws.accessKeyId=test -Daws.secretAccessKey=test}.
 *
 * <p>Arguments: messages per round (default 10000), rounds (default 3).
 */
public final class SqsReceiveBench {

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    try (EmbeddedSqsServer server = EmbeddedSqsServer.start(0, Duration.ofSeconds(120))) {
      SqsEndpoint endpoint = SqsEndpoint.builder().region("us-east-1")
          .endpointOverride(server.endpoint()).build();
      try (SqsClient client = endpoint.newClient(Duration.ofSeconds(30))) {
        fill(client, "warmup", 2_000);
        bare(client, url(client, "warmup"), 1_000);
        pipeline(endpoint, url(client, "warmup"), 1_000);
        List<Double> ratios = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
          String a = fill(client, "bare-" + r, messages);
          String b = fill(client, "pipe-" + r, messages);
          double bare;
          double pipe;
          if (r % 2 == 1) {
            bare = bare(client, a, messages);
            pipe = pipeline(endpoint, b, messages);
          } else {
            pipe = pipeline(endpoint, b, messages);
            bare = bare(client, a, messages);
          }
          ratios.add(pipe / bare);
          System.out.printf("round %d: bare SDK loop %.0f msg/s, pipeline %.0f msg/s, ratio %.2f%n",
              r, bare, pipe, pipe / bare);
        }
        System.out.printf("ratio pipeline/bare per round: %s%n", ratios);
      }
    }
  }

  private static String url(SqsClient client, String name) {
    return client.getQueueUrl(b -> b.queueName(name)).queueUrl();
  }

  /** A new queue with {@code n} small messages, sent by 4 threads. */
  private static String fill(SqsClient client, String name, int n) throws Exception {
    String url = client.createQueue(b -> b.queueName(name)).queueUrl();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int from = 0; from < n; from += 10) {
      int start = from;
      done.add(pool.submit(() -> {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = start; i < Math.min(n, start + 10); i++) {
          entries.add(SendMessageBatchRequestEntry.builder().id("e" + i).messageBody("m" + i).build());
        }
        client.sendMessageBatch(b -> b.queueUrl(url).entries(entries));
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    return url;
  }

  /** One thread: receive up to 10 (long poll 1 s), delete them in one batch; msg/s. */
  private static double bare(SqsClient client, String url, int n) {
    long start = System.nanoTime();
    int count = 0;
    while (count < n) {
      List<Message> got = client.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)
          .waitTimeSeconds(1)).messages();
      if (got.isEmpty()) {
        continue;
      }
      List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < got.size(); i++) {
        entries.add(DeleteMessageBatchRequestEntry.builder().id("d" + i)
            .receiptHandle(got.get(i).receiptHandle()).build());
      }
      client.deleteMessageBatch(b -> b.queueUrl(url).entries(entries));
      count += got.size();
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /** SqsSource → 2 workers, no-op → discard; until every message is deleted; msg/s. */
  private static double pipeline(SqsEndpoint endpoint, String url, int n) throws Exception {
    long start = System.nanoTime();
    SqsSource source = SqsSource.builder().endpoint(endpoint).queue(url)
        .waitTime(Duration.ofSeconds(1)).stopAfter(n).statsInterval(Duration.ZERO).build();
    Sluice.from(source).workers(2).process(body -> body).to(Sinks.discard()).start()
        .awaitCompletion();
    source.close();       // returns once every delete is sent
    if (source.stats().deleted() != n) {
      throw new IllegalStateException("deleted " + source.stats().deleted() + " of " + n);
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }
}
