package dev.sluice.sqs;

import dev.sluice.sqs.server.EmbeddedSqsServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * One embedded ElasticMQ for the whole test JVM (started on first use on a free loopback port,
 * stopped at exit), a plain client for arranging and inspecting queues, and fresh queue names.
 * Credentials come from the surefire system properties, through the SDK's default chain.
 */
final class TestSqs {

  private static final AtomicInteger QUEUES = new AtomicInteger();
  private static EmbeddedSqsServer server;
  private static SqsClient client;

  private TestSqs() {
  }

  static synchronized EmbeddedSqsServer server() {
    if (server == null) {
      long start = System.nanoTime();
      server = EmbeddedSqsServer.start(0, Duration.ofSeconds(60));
      System.out.printf("ElasticMQ started on port %d in %d ms%n", server.port(),
          (System.nanoTime() - start) / 1_000_000);
      EmbeddedSqsServer s = server;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    }
    return server;
  }

  static SqsEndpoint endpoint() {
    return SqsEndpoint.builder().region("us-east-1").endpointOverride(server().endpoint()).build();
  }

  static synchronized SqsClient client() {
    if (client == null) {
      client = endpoint().newClient(Duration.ofSeconds(30));
    }
    return client;
  }

  /** A new standard queue with the given attributes; returns its URL. */
  static String createQueue(String prefix, Map<QueueAttributeName, String> attributes) {
    String name = prefix + "-" + QUEUES.incrementAndGet();
    return client().createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
  }

  /** A new FIFO queue; returns its URL. */
  static String createFifoQueue(String prefix) {
    String name = prefix + "-" + QUEUES.incrementAndGet() + ".fifo";
    return client().createQueue(b -> b.queueName(name).attributes(Map.of(
        QueueAttributeName.FIFO_QUEUE, "true",
        QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false"))).queueUrl();
  }

  /** Sends {@code bodies}, ten a batch, each with a "key" attribute when keys is non-null. */
  static void send(String url, List<String> bodies, List<String> keys) {
    for (int from = 0; from < bodies.size(); from += 10) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = from; i < Math.min(bodies.size(), from + 10); i++) {
        SendMessageBatchRequestEntry.Builder e = SendMessageBatchRequestEntry.builder()
            .id(Integer.toString(i)).messageBody(bodies.get(i));
        if (keys != null) {
          e.messageAttributes(Map.of("key", MessageAttributeValue.builder().dataType("String")
              .stringValue(keys.get(i)).build()));
        }
        entries.add(e.build());
      }
      var r = client().sendMessageBatch(b -> b.queueUrl(url).entries(entries));
      if (!r.failed().isEmpty()) {
        throw new IllegalStateException("send failed: " + r.failed());
      }
    }
  }

  /** ApproximateNumberOfMessages + NotVisible + Delayed: exact on ElasticMQ. */
  static long remaining(String url) {
    Map<QueueAttributeName, String> a = client().getQueueAttributes(b -> b.queueUrl(url)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
    return a.values().stream().mapToLong(Long::parseLong).sum();
  }

  static long notVisible(String url) {
    return Long.parseLong(client().getQueueAttributes(b -> b.queueUrl(url)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }
}
