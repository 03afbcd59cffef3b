package dev.sluice.cli;

import dev.sluice.PipelineException;
import dev.sluice.sqs.server.EmbeddedSqsServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The queue behind {@code sluice demo --via sqs}: an embedded SQS server (ElasticMQ, in memory,
 * on 127.0.0.1 at a free port), the standard queue {@value #QUEUE} on it, and a client that
 * sends the demo's events (each event's index as text) on the article's schedule.
 *
 * <p><b>Credentials.</b> ElasticMQ checks none, but the AWS SDK insists on some. The demo's own
 * client gets the fixed pair {@value #DUMMY_KEY}/{@value #DUMMY_KEY}, good for this embedded
 * server only, so that the demo runs on a machine without AWS configured; consumer processes
 * get the same pair through their environment ({@link #credentialsEnvironment()}), the SDK's
 * default chain, as {@code sluice run} always reads them.
 *
 * <p><b>Threads.</b> The client is thread-safe; {@link #publish} runs on its caller's thread.
 * {@link #close()} once, after everything that uses the queue has stopped.
 */
final class SqsDemoQueue implements AutoCloseable {

  /** The queue the events travel on. */
  static final String QUEUE = "demo-events";
  /** The region the clients name (ElasticMQ answers to any). */
  static final String REGION = "us-east-1";
  /** How long the embedded server may take to start. */
  static final Duration SERVER_START = Duration.ofSeconds(30);
  /** The visibility timeout of the demo's queue: SQS's default. */
  static final Duration VISIBILITY = Duration.ofSeconds(30);
  private static final String DUMMY_KEY = "sluice-demo";

  private final EmbeddedSqsServer server;
  private final SqsClient client;
  private final String queueUrl;
  private final AtomicLong sent = new AtomicLong();

  private SqsDemoQueue(EmbeddedSqsServer server, SqsClient client, String queueUrl) {
    this.server = server;
    this.client = client;
    this.queueUrl = queueUrl;
  }

  /**
   * Starts the server (waiting at most {@link #SERVER_START}) and creates the queue.
   *
   * @throws DemoTransport.BrokerDidNotStart if either failed
   */
  static SqsDemoQueue open() throws DemoTransport.BrokerDidNotStart {
    EmbeddedSqsServer server;
    try {
      server = EmbeddedSqsServer.start(0, SERVER_START);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new DemoTransport.BrokerDidNotStart("the embedded SQS server (ElasticMQ) did not "
          + "start within " + DurationParser.format(SERVER_START) + ": "
          + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()),
          e);
    }
    SqsClient client = null;
    try {
      client = SqsClient.builder()
          .region(Region.of(REGION))
          .endpointOverride(server.endpoint())
          .credentialsProvider(StaticCredentialsProvider.create(
              AwsBasicCredentials.create(DUMMY_KEY, DUMMY_KEY)))
          .httpClient(UrlConnectionHttpClient.builder()
              .socketTimeout(Duration.ofSeconds(30)).build())   // above the longest poll (1 s)
          .build();
      String url = client.createQueue(b -> b.queueName(QUEUE).attributes(Map.of(
          QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(VISIBILITY.toSeconds()))))
          .queueUrl();
      return new SqsDemoQueue(server, client, url);
    } catch (RuntimeException e) {
      if (client != null) {
        client.close();
      }
      server.close();
      throw new DemoTransport.BrokerDidNotStart("the embedded SQS server (ElasticMQ) started "
          + "but could not create the queue " + QUEUE + ": " + e.getMessage(), e);
    }
  }

  /** Where the server listens: {@code http://127.0.0.1:PORT}. */
  URI endpoint() {
    return server.endpoint();
  }

  /** The demo's client (dummy credentials; this server only). */
  SqsClient client() {
    return client;
  }

  /** The queue as {@code sluice run} names it: {@code sqs://demo-events?region=…&endpoint=…}. */
  String sourceUri(Duration wait) {
    return "sqs://" + QUEUE + "?region=" + REGION + "&endpoint=" + endpoint() + "&wait="
        + DurationParser.format(wait);
  }

  /** The environment that gives a consumer process the dummy credentials. */
  static Map<String, String> credentialsEnvironment() {
    return Map.of("AWS_ACCESS_KEY_ID", DUMMY_KEY, "AWS_SECRET_ACCESS_KEY", DUMMY_KEY);
  }

  /**
   * Sends events 1..{@code count} on the article's schedule (see
   * {@link DemoTransport#onSchedule}), calling {@code submitted} just before each send.
   *
   * @throws PipelineException if the server refused a send
   */
  void publish(long count, Duration interval, long startNanos, LongConsumer submitted,
      BooleanSupplier stop) throws InterruptedException {
    DemoTransport.onSchedule(count, interval, startNanos, stop, i -> {
      submitted.accept(i);
      try {
        client.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Long.toString(i)));
      } catch (SdkException e) {
        throw new PipelineException("sending event " + i + " to the embedded SQS server failed",
            e);
      }
      sent.incrementAndGet();
    });
  }

  /** Events the server accepted so far. */
  long sent() {
    return sent.get();
  }

  /**
   * Messages still in the queue: waiting, and received but not deleted (in flight), from the
   * server's approximate counts (exact on ElasticMQ).
   */
  long[] left() {
    Map<String, String> attributes = client.getQueueAttributes(b -> b.queueUrl(queueUrl)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .attributesAsStrings();
    return new long[] {
        Long.parseLong(attributes.getOrDefault("ApproximateNumberOfMessages", "0")),
        Long.parseLong(attributes.getOrDefault("ApproximateNumberOfMessagesNotVisible", "0"))};
  }

  /** Closes the client and stops the server, waiting for it. */
  @Override
  public void close() {
    try {
      client.close();
    } finally {
      server.close();
    }
  }
}
