package dev.sluice.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

@Tag("broker")
class SqsPipelineTest {

  /** Receives up to {@code count} messages from {@code url}, deleting them. */
  private static List<software.amazon.awssdk.services.sqs.model.Message> drain(String url,
      int count) {
    List<software.amazon.awssdk.services.sqs.model.Message> out = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      var got = TestSqs.client().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)
          .waitTimeSeconds(1).messageAttributeNames("All")
          .messageSystemAttributeNamesWithStrings("All")).messages();
      for (var m : got) {
        out.add(m);
        TestSqs.client().deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
      }
      return out.size() >= count;
    });
    return out;
  }

  @Test
  void theSinkSendsEveryResultAndAWriteCompletesOnceSqsHasIt() throws Exception {
    String url = TestSqs.createQueue("sink", Map.of());
    List<Integer> numbers = IntStream.rangeClosed(1, 45).boxed().collect(Collectors.toList());
    try (SqsSink<String> sink = SqsSink.<String>builder().endpoint(TestSqs.endpoint()).queue(url)
        .attributes(r -> Map.of("length", Integer.toString(r.length()))).build()) {
      Stats stats = Sluice.from(Sources.fromIterable(numbers)).workers(3)
          .process(n -> "result-" + n).to(sink).start().awaitCompletion();
      assertThat(stats.completed()).isEqualTo(45);
      assertThat(sink.sent()).isEqualTo(45);
    }
    var got = drain(url, 45);
    assertThat(got).extracting(software.amazon.awssdk.services.sqs.model.Message::body)
        .containsExactlyInAnyOrderElementsOf(numbers.stream().map(n -> "result-" + n)
            .collect(Collectors.toList()));
    assertThat(got.get(0).messageAttributes().get("length").stringValue())
        .isEqualTo(Integer.toString(got.get(0).body().length()));
  }

  @Test
  void aWriteSqsRefusesFailsWithItsReasonWhileTheOthersInItsBatchAreSent() throws Exception {
    String url = TestSqs.createQueue("refuse", Map.of());
    try (SqsSink<String> sink = SqsSink.<String>builder().endpoint(TestSqs.endpoint())
        .queue(url).build()) {
      var good = sink.write("fine", null).toCompletableFuture();
      var bad = sink.write("bad \u0000 char", null).toCompletableFuture();
      await().atMost(Duration.ofSeconds(10)).until(() -> good.isDone() && bad.isDone());
      assertThat(good).isCompleted();
      assertThat(bad).isCompletedExceptionally();
      assertThat(bad.handle((v, e) -> e.getMessage()).join()).contains("SQS refused a message");
    }
    assertThat(drain(url, 1)).extracting(software.amazon.awssdk.services.sqs.model.Message::body)
        .containsExactly("fine");
  }

  @Test
  void poisonMessagesGoToTheDeadLetterQueueWithTheErrorWhileTheRestFlows() throws Exception {
    String url = TestSqs.createQueue("poison", Map.of());
    String dlq = TestSqs.createQueue("poison-dlq", Map.of());
    List<String> bodies = IntStream.range(0, 40).mapToObj(i -> i % 10 == 3 ? "poison-" + i : "ok-" + i)
        .collect(Collectors.toList());
    TestSqs.send(url, bodies, bodies);
    ConcurrentLinkedQueue<String> done = new ConcurrentLinkedQueue<>();
    try (SqsSource source = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
            .waitTime(Duration.ofSeconds(1)).stopAfter(40).build();
        SqsSink<DeadLetter<?>> dead = SqsSink.deadLetters(SqsSink.<DeadLetter<?>>builder()
            .endpoint(TestSqs.endpoint()).queue(dlq))) {
      Stats stats = Sluice.from(source).workers(4).process(body -> {
        if (body.startsWith("poison")) {
          throw new IllegalArgumentException("cannot digest " + body);
        }
        done.add(body);
        return body;
      }).to(Sinks.discard()).deadLetters(dead).start().awaitCompletion();
      assertThat(stats.deadLettered()).isEqualTo(4);
      assertThat(stats.completed()).isEqualTo(36);
    }
    assertThat(done).hasSize(36).allMatch(b -> b.startsWith("ok-"));
    assertThat(TestSqs.remaining(url)).isZero();
    var letters = drain(dlq, 4);
    assertThat(letters).extracting(software.amazon.awssdk.services.sqs.model.Message::body)
        .containsExactlyInAnyOrder("poison-3", "poison-13", "poison-23", "poison-33");
    var attrs = letters.get(0).messageAttributes();
    assertThat(attrs.get(SqsSink.ERROR_ATTRIBUTE).stringValue())
        .isEqualTo("java.lang.IllegalArgumentException: cannot digest " + letters.get(0).body());
    assertThat(attrs.get(SqsSink.ATTEMPTS_ATTRIBUTE).stringValue()).isEqualTo("1");
    assertThat(attrs.get(SqsSink.SOURCE_MESSAGE_ID_ATTRIBUTE)).isNotNull();
    assertThat(attrs.get("key").stringValue()).isEqualTo(letters.get(0).body());
  }

  @Test
  void fifoGroupsKeepTheirOrderUnderByKeyWithEightWorkers() throws Exception {
    long seed = System.nanoTime();
    System.out.println("fifo test seed " + seed);
    Random random = new Random(seed);
    String url = TestSqs.createFifoQueue("fifo");
    int groups = 8;
    int perGroup = 10;
    List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
    Map<String, Integer> nextIndex = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      for (int i = 0; i < perGroup; i++) {
        order.add("g" + g);
      }
    }
    Collections.shuffle(order, random);
    for (String g : order) {
      int i = nextIndex.merge(g, 1, Integer::sum) - 1;
      entries.add(SendMessageBatchRequestEntry.builder().id(g + "-" + i).messageBody(g + ":" + i)
          .messageGroupId(g).messageDeduplicationId(g + "-" + i).build());
    }
    for (int from = 0; from < entries.size(); from += 10) {
      List<SendMessageBatchRequestEntry> batch = entries.subList(from, Math.min(entries.size(), from + 10));
      TestSqs.client().sendMessageBatch(b -> b.queueUrl(url).entries(batch));
    }
    Map<Object, List<Integer>> seen = new ConcurrentHashMap<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    String out = TestSqs.createFifoQueue("fifo-out");
    try (SqsSource source = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
            .waitTime(Duration.ofSeconds(1)).stopAfter(groups * perGroup).build();
        SqsSink<String> sink = SqsSink.<String>builder().endpoint(TestSqs.endpoint()).queue(out)
            .groupId("{key}").deduplicationId("{message-id}").build()) {
      Pipeline p = Sluice.from(source).workers(8).ordering(Ordering.BY_KEY)
          .processMessages((m, attempt) -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
              String[] parts = m.payload().split(":");
              seen.computeIfAbsent(m.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                  .add(Integer.parseInt(parts[1]));
              Thread.sleep(random.nextInt(3));
              return m.payload();
            } finally {
              running.decrementAndGet();
            }
          }).to(sink).start();
      assertThat(p.awaitCompletion().completed()).isEqualTo(groups * perGroup);
    }
    assertThat(seen).hasSize(groups);
    List<Integer> expected = IntStream.range(0, perGroup).boxed().collect(Collectors.toList());
    seen.values().forEach(list -> assertThat(list).containsExactlyElementsOf(expected));
    // the sink's group ids came from the key: each output group is in order too
    var results = drain(out, groups * perGroup);
    Map<String, List<Integer>> outGroups = new HashMap<>();
    for (var m : results) {
      String group = m.attributesAsStrings().get("MessageGroupId");
      assertThat(m.body()).startsWith(group + ":");
      outGroups.computeIfAbsent(group, k -> new ArrayList<>())
          .add(Integer.parseInt(m.body().split(":")[1]));
    }
    outGroups.values().forEach(list -> assertThat(list).containsExactlyElementsOf(expected));
  }

  @Test
  void aTenSecondJobUnderAThreeSecondVisibilityIsDoneOnceWhileAnotherConsumerWaits()
      throws Exception {
    String url = TestSqs.createQueue("slow", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "3"));
    TestSqs.client().sendMessage(b -> b.queueUrl(url).messageBody("slow job")
        .messageAttributes(Map.of("key", MessageAttributeValue.builder().dataType("String")
            .stringValue("k").build())));
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger rivalRuns = new AtomicInteger();
    try (SqsSource first = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
            .waitTime(Duration.ofSeconds(1)).stopAfter(1).build();
        SqsSource rival = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
            .waitTime(Duration.ofSeconds(1)).build()) {
      Pipeline slow = Sluice.from(first).workers(1).process(body -> {
        runs.incrementAndGet();
        Thread.sleep(10_000);       // the work itself: more than three visibility timeouts
        return body;
      }).start();
      await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() == 1);
      Pipeline other = Sluice.from(rival).workers(2).process(body -> {
        rivalRuns.incrementAndGet();
        return body;
      }).start();
      assertThat(slow.awaitCompletion().completed()).isEqualTo(1);
      assertThat(first.stats().extended()).isGreaterThanOrEqualTo(3);
      await().atMost(Duration.ofSeconds(10)).until(() -> first.stats().deleted() == 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> TestSqs.remaining(url) == 0);
      other.close();
    }
    assertThat(runs).hasValue(1);
    assertThat(rivalRuns).hasValue(0);
  }

  @Test
  void aDrainMidwayDeletesWhatFinishedAndGivesBackTheRestAtOnce() throws Exception {
    String url = TestSqs.createQueue("drain", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "300"));
    List<String> bodies = IntStream.range(0, 40).mapToObj(i -> "m" + i).collect(Collectors.toList());
    TestSqs.send(url, bodies, null);
    java.util.concurrent.CountDownLatch tenDone = new java.util.concurrent.CountDownLatch(10);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger done = new AtomicInteger();
    SqsSource source = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
        .waitTime(Duration.ofSeconds(1)).build();
    Pipeline p = Sluice.from(source).workers(2).maxInFlight(8).process(body -> {
      if (done.get() >= 10) {
        release.await();         // the rest are slow: still running when the drain begins
      }
      done.incrementAndGet();
      tenDone.countDown();
      return body;
    }).start();
    assertThat(tenDone.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    Thread drainer = new Thread(() -> {
      try {
        p.drain(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    drainer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> p.state() != Pipeline.State.RUNNING);
    release.countDown();
    drainer.join(30_000);
    Stats stats = p.awaitCompletion();
    source.close();
    long finished = stats.completed();
    assertThat(source.stats().deleted()).isEqualTo(finished);
    // nothing finished is left, nothing unfinished is hidden for 300 s
    assertThat(TestSqs.remaining(url)).isEqualTo(40 - finished);
    assertThat(TestSqs.notVisible(url)).isZero();
  }
}
