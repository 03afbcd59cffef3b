package dev.sluice.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("broker")
class SqsSourceTest {

  private static SqsSource source(String url) {
    return SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url).waitTime(Duration.ofSeconds(1))
        .statsInterval(Duration.ofMillis(200)).build();
  }

  @Test
  void everyMessageIsProcessedThenDeletedWithItsAttributesKept() throws Exception {
    String url = TestSqs.createQueue("receive", Map.of());
    List<String> bodies = IntStream.range(0, 50).mapToObj(i -> "m" + i).collect(Collectors.toList());
    TestSqs.send(url, bodies, bodies.stream().map(b -> "k-" + b).collect(Collectors.toList()));
    ConcurrentLinkedQueue<Message<?>> seen = new ConcurrentLinkedQueue<>();
    SqsSource source = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
        .waitTime(Duration.ofSeconds(1)).stopAfter(50).build();
    try (source) {
      Pipeline p = Sluice.from(source).workers(4).processMessages((m, attempt) -> {
        seen.add(m);
        return m.payload();
      }).to(Sinks.discard()).start();
      Stats stats = p.awaitCompletion();
      assertThat(stats.completed()).isEqualTo(50);
    }
    assertThat(seen).extracting(m -> (String) m.payload()).containsExactlyInAnyOrderElementsOf(bodies);
    Message<?> one = seen.peek();
    assertThat(one.key()).isEqualTo("k-" + one.payload());
    assertThat(one.topic()).isEqualTo(source.queueName());
    assertThat(one.headers()).containsEntry(SqsSource.RECEIVE_COUNT_HEADER, "1")
        .containsKeys(SqsSource.MESSAGE_ID_HEADER, SqsSource.SENT_TIMESTAMP_HEADER)
        .containsEntry("key", "k-" + one.payload());
    assertThat(source.stats().deleted()).isEqualTo(50);
    assertThat(TestSqs.remaining(url)).isZero();
  }

  @Test
  void receivesNoMoreThanTheSubscriberAskedFor() throws Exception {
    String url = TestSqs.createQueue("demand", Map.of());
    TestSqs.send(url, IntStream.range(0, 30).mapToObj(i -> "m" + i).collect(Collectors.toList()), null);
    Probe probe = new Probe();
    try (SqsSource source = source(url)) {
      source.subscribe(probe);
      probe.subscription().request(3);
      await().atMost(Duration.ofSeconds(10)).until(() -> probe.messages.size() == 3);
      assertThat(TestSqs.notVisible(url)).isEqualTo(3);
      assertThat(source.stats().received()).isEqualTo(3);
      probe.subscription().request(12);
      await().atMost(Duration.ofSeconds(10)).until(() -> probe.messages.size() == 15);
      assertThat(TestSqs.notVisible(url)).isEqualTo(15);
      probe.messages.forEach(Message::ack);
      await().atMost(Duration.ofSeconds(10)).until(() -> TestSqs.remaining(url) == 15);
    }
  }

  @Test
  void aNackedMessageComesBackAtOnceWithItsReceiveCountRaised() throws Exception {
    String url = TestSqs.createQueue("nack", Map.of());
    TestSqs.send(url, List.of("again"), null);
    Probe probe = new Probe();
    try (SqsSource source = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
        .waitTime(Duration.ofSeconds(1)).visibilityTimeout(Duration.ofSeconds(300)).build()) {
      source.subscribe(probe);
      probe.subscription().request(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> probe.messages.size() == 1);
      probe.messages.peek().nack(new RuntimeException("not now"));
      // visibility was 300 s: only the release can bring it back within the wait
      await().atMost(Duration.ofSeconds(10)).until(() -> probe.messages.size() == 2);
      List<Message<String>> both = new ArrayList<>(probe.messages);
      assertThat(both.get(1).payload()).isEqualTo("again");
      assertThat(both.get(1).headers()).containsEntry(SqsSource.RECEIVE_COUNT_HEADER, "2");
      both.get(1).ack();
      await().atMost(Duration.ofSeconds(10)).until(() -> TestSqs.remaining(url) == 0);
      assertThat(source.stats().released()).isEqualTo(1);
    }
  }

  @Test
  void closeCutsALongPollShortAndGivesBackWhatIsStillInProgress() throws Exception {
    String url = TestSqs.createQueue("close", Map.of());
    TestSqs.send(url, List.of("held"), null);
    Probe probe = new Probe();
    SqsSource source = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
        .waitTime(Duration.ofSeconds(20)).visibilityTimeout(Duration.ofSeconds(2)).build();
    source.subscribe(probe);
    probe.subscription().request(5);
    await().atMost(Duration.ofSeconds(10)).until(() -> probe.messages.size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(source::connected);
    long start = System.nanoTime();
    source.close();   // the receive thread is in a 20 s poll for the 4 still asked for
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(source.stats().released()).isEqualTo(1);
    probe.messages.peek().ack();      // too late: it was given back, so nothing is deleted
    assertThat(source.stats().deleted()).isZero();
    // Released; or, if the server handed it to the poll that close cut short, back after 2 s.
    Probe next = new Probe();
    try (SqsSource again = source(url)) {
      again.subscribe(next);
      next.subscription().request(1);
      await().atMost(Duration.ofSeconds(15)).until(() -> next.messages.size() == 1);
      assertThat(next.messages.peek().payload()).isEqualTo("held");
    }
  }

  @Test
  void statsReportTheQueueDepthAndTheOldestAgeSeen() throws Exception {
    String url = TestSqs.createQueue("stats", Map.of());
    TestSqs.send(url, IntStream.range(0, 7).mapToObj(i -> "m" + i).collect(Collectors.toList()), null);
    Probe probe = new Probe();
    try (SqsSource source = source(url)) {
      source.subscribe(probe);
      probe.subscription().request(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> source.stats().approximateInFlight() == 2
          && source.stats().approximateMessages() == 5);
      assertThat(source.stats().summaryLine()).contains("queue ~5 waiting");
      assertThat(source.backlog()).isEqualTo(5);   // what the capacity model reads
    }
  }

  @Test
  void pastTheCeilingAMessageIsNoLongerExtendedAndALateAckIsCountedNotHidden() throws Exception {
    String url = TestSqs.createQueue("ceiling", Map.of());
    TestSqs.send(url, List.of("stuck"), null);
    Probe probe = new Probe();
    try (SqsSource source = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
        .waitTime(Duration.ofSeconds(1)).visibilityTimeout(Duration.ofSeconds(1))
        .maxExtension(Duration.ofSeconds(1)).build()) {
      source.subscribe(probe);
      probe.subscription().request(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> probe.messages.size() == 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> source.stats().ceilingReached() == 1);
      assertThat(source.stats().extended()).isZero();
      // no longer extended: another consumer gets it once its second of visibility is over
      var again = new ArrayList<software.amazon.awssdk.services.sqs.model.Message>();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        again.addAll(TestSqs.client().receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)
            .visibilityTimeout(30)).messages());
        return !again.isEmpty();
      });
      assertThat(again.get(0).body()).isEqualTo("stuck");
      probe.messages.peek().ack();   // the first consumer finishes late, with a stale handle
      await().atMost(Duration.ofSeconds(10)).until(() -> source.stats().deleted()
          + source.stats().lost() == 1);
    }
  }

  /** A subscriber that keeps what it gets and requests only when told. */
  static final class Probe implements Flow.Subscriber<Message<String>> {
    final ConcurrentLinkedQueue<Message<String>> messages = new ConcurrentLinkedQueue<>();
    final CountDownLatch subscribed = new CountDownLatch(1);
    volatile Flow.Subscription subscription;
    volatile Throwable error;
    volatile boolean completed;

    Flow.Subscription subscription() throws InterruptedException {
      assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
      return subscription;
    }

    @Override public void onSubscribe(Flow.Subscription s) { subscription = s; subscribed.countDown(); }
    @Override public void onNext(Message<String> item) { messages.add(item); }
    @Override public void onError(Throwable t) { error = t; }
    @Override public void onComplete() { completed = true; }
  }
}
