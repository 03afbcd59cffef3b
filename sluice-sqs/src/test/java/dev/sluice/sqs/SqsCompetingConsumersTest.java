package dev.sluice.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Three consumers compete for one queue; one of them dies abruptly midway (its network is cut:
 * no delete, no release, no extension, no result reaches anyone after that). Every message is
 * still processed, and the only duplicates are messages the dead one had received and not
 * yet deleted.
 */
@Tag("broker")
class SqsCompetingConsumersTest {

  private static final int MESSAGES = 1000;

  /** The network of one consumer, which the test can cut. */
  static final class CuttableHttpClient implements SdkHttpClient {
    private final SdkHttpClient delegate = UrlConnectionHttpClient.builder()
        .socketTimeout(Duration.ofSeconds(30)).build();
    private final Set<ExecutableHttpRequest> running = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    void cut() {
      cut = true;
      running.forEach(ExecutableHttpRequest::abort);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      ExecutableHttpRequest call = delegate.prepareRequest(request);
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() throws IOException {
          if (cut) {
            throw new IOException("network cut by the test");
          }
          running.add(call);
          try {
            HttpExecuteResponse response = call.call();
            if (cut) {
              throw new IOException("network cut by the test");
            }
            return response;
          } finally {
            running.remove(call);
          }
        }

        @Override
        public void abort() {
          call.abort();
        }
      };
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** Notes the id of every message a consumer received, as it passes to the pipeline. */
  static Flow.Publisher<Message<String>> tap(Flow.Publisher<Message<String>> source,
      Set<String> received) {
    return subscriber -> source.subscribe(new Flow.Subscriber<>() {
      @Override public void onSubscribe(Flow.Subscription s) { subscriber.onSubscribe(s); }
      @Override public void onNext(Message<String> m) {
        received.add(m.payload());
        subscriber.onNext(m);
      }
      @Override public void onError(Throwable t) { subscriber.onError(t); }
      @Override public void onComplete() { subscriber.onComplete(); }
    });
  }

  @Test
  void everyMessageIsProcessedAndOnlyWhatTheDeadConsumerHeldIsDoneTwice() throws Exception {
    String url = TestSqs.createQueue("compete", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "4"));
    List<String> bodies = IntStream.range(0, MESSAGES).mapToObj(i -> "job-" + i)
        .collect(Collectors.toList());
    TestSqs.send(url, bodies, null);

    Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    List<SqsSource> sources = new ArrayList<>();
    List<Pipeline> pipelines = new ArrayList<>();
    List<Set<String>> received = new ArrayList<>();
    CuttableHttpClient victimNetwork = new CuttableHttpClient();
    SqsClient victimClient = SqsClient.builder().httpClient(victimNetwork)
        .region(Region.US_EAST_1).endpointOverride(TestSqs.server().endpoint())
        .credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
    AtomicInteger victimDone = new AtomicInteger();
    for (int c = 0; c < 3; c++) {
      boolean victim = c == 1;
      SqsSource.Builder b = SqsSource.builder().queue(url).waitTime(Duration.ofSeconds(1))
          .closeTimeout(Duration.ofSeconds(5));
      SqsSource source = (victim ? b.client(victimClient) : b.endpoint(TestSqs.endpoint())).build();
      Set<String> got = ConcurrentHashMap.newKeySet();
      Pipeline p = Sluice.from(tap(source, got)).workers(4).process(body -> {
        if (victim && victimNetwork.cut) {
          throw new IllegalStateException("dead");     // a dead process writes nothing
        }
        Thread.sleep(1);
        processed.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
        if (victim) {
          victimDone.incrementAndGet();
        }
        return body;
      }).to(Sinks.discard()).start();
      sources.add(source);
      pipelines.add(p);
      received.add(got);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> victimDone.get() >= 150);
    victimNetwork.cut();

    await().atMost(Duration.ofSeconds(120)).until(() -> processed.size() == MESSAGES);
    await().atMost(Duration.ofSeconds(30)).until(() -> TestSqs.remaining(url) == 0);
    for (int c = 0; c < 3; c++) {
      pipelines.get(c).close();
      sources.get(c).close();
    }
    victimClient.close();

    Set<String> twice = processed.entrySet().stream().filter(e -> e.getValue().get() > 1)
        .map(Map.Entry::getKey).collect(Collectors.toSet());
    SqsSourceStats victimStats = sources.get(1).stats();
    System.out.printf("victim received %d, deleted %d; processed twice: %d%n",
        victimStats.received(), victimStats.deleted(), twice.size());
    assertThat(processed.keySet()).containsExactlyInAnyOrderElementsOf(bodies);
    assertThat(twice).isSubsetOf(received.get(1));
    assertThat((long) twice.size()).isLessThanOrEqualTo(victimStats.received() - victimStats.deleted());
    assertThat(processed.values()).allMatch(n -> n.get() <= 2);
  }
}
