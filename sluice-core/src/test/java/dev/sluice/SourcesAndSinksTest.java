package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesAndSinksTest {

  @Test
  void linesFromAStreamAreNumberedFromOneAndWrittenAsLinesInOrder() throws Exception {
    ByteArrayInputStream in = new ByteArrayInputStream("a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
    List<Long> sequences = new CopyOnWriteArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Sluice.from(Sources.lines(in)).workers(2).ordering(Ordering.ORDERED)
        .processMessages((message, attempt) -> {
          sequences.add(message.sequence());
          return message.payload().toUpperCase();
        })
        .to(Sinks.lines(out)).start().awaitCompletion();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("A\nB\nC\n");
    assertThat(sequences).containsExactlyInAnyOrder(1L, 2L, 3L);
  }

  @Test
  void aFileSinkAppendsOneLinePerResult(@TempDir Path dir) throws Exception {
    Path input = Files.writeString(dir.resolve("in.txt"), "1\n2\n3\n");
    Path output = dir.resolve("out.txt");
    Files.writeString(output, "existing\n");
    Sluice.from(Sources.lines(input)).workers(1)
        .process(line -> Integer.parseInt(line) * 10)
        .to(Sinks.lines(output)).start().awaitCompletion();
    assertThat(Files.readAllLines(output)).containsExactly("existing", "10", "20", "30");
  }

  @Test
  void aNullResultWritesNothingButStillAcknowledges() throws Exception {
    TrackedSource<Long> source = TrackedSource.ofLongs(10);
    List<Long> output = new CopyOnWriteArrayList<>();
    Sluice.from(source.publisher()).process(i -> i % 2 == 0 ? i : null)
        .to(Sinks.collection(output)).start().awaitCompletion();
    assertThat(output).containsExactlyInAnyOrder(0L, 2L, 4L, 6L, 8L);
    assertThat(source.acks).hasSize(10);
  }

  @Test
  void theGeneratorEmitsOnScheduleStartingOneIntervalAfterSubscription() throws Exception {
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    Sluice.from(Sources.generate(3, Duration.ofMillis(50), i -> i)).workers(1)
        .process(i -> {
          arrivals.add(System.nanoTime() - start);
          return i;
        }).start().awaitCompletion();
    assertThat(arrivals).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(arrivals.get(i)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50L * (i + 1)));
    }
  }

  @Test
  void theStatsListenerReceivesLiveSnapshots() throws Exception {
    CountDownLatch bothBusy = new CountDownLatch(1);
    List<Stats> seen = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    Pipeline pipeline = Sluice.from(TrackedSource.ofLongs(4).publisher()).workers(2)
        .onStats(Duration.ofMillis(20), s -> {
          seen.add(s);
          if (s.busyWorkers() == 2) {
            bothBusy.countDown();
          }
        })
        .process(i -> {
          release.await();
          return i;
        }).start();
    assertThat(bothBusy.await(10, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    pipeline.awaitCompletion();
    assertThat(seen).allSatisfy(s -> assertThat(s.workers()).isEqualTo(2));
  }
}
