package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PartitionTest {

  @Test
  void theHashIsFnv1a32OfTheUtf8BytesAndMatchesTheDocumentedVectors() {
    assertThat(Partition.hash("")).isEqualTo(0x811C9DC5);
    assertThat(Partition.hash(null)).isEqualTo(0x811C9DC5);
    assertThat(Partition.hash("a")).isEqualTo(0xE40C292C);
    assertThat(Partition.hash("foobar")).isEqualTo(0xBF9CF968);
    assertThat(Partition.hash("key-0")).isEqualTo(0x58E035D9);
    assertThat(Partition.hash("key-2")).isEqualTo(0x56E032B3);
    assertThat(Partition.hash("größe")).isEqualTo(0xCD38F49A);
    assertThat(Partition.ownerOf("", 3)).isEqualTo(1);
    assertThat(Partition.ownerOf("foobar", 3)).isEqualTo(1);
    assertThat(Partition.ownerOf("key-0", 3)).isEqualTo(0);
    assertThat(Partition.ownerOf("key-2", 3)).isEqualTo(2);
    assertThat(Partition.ownerOf("größe", 3)).isEqualTo(2);
  }

  @Test
  void theOwnerIsTheUnsignedHashModuloTheCount() {
    // 0xE40C292C is negative as an int: a signed remainder would give a negative owner
    assertThat(Partition.ownerOf("a", 7)).isEqualTo((int) (0xE40C292CL % 7));
    assertThat(Partition.of(0, 1).owns("anything")).isTrue();
  }

  @Test
  void parseReadsIndexSlashCountAndNamesWhatIsWrong() {
    assertThat(Partition.parse(" 2/3 ")).isEqualTo(Partition.of(2, 3));
    assertThat(Partition.parse("0/1").toString()).isEqualTo("0/1");
    assertThatThrownBy(() -> Partition.parse("3/3"))
        .hasMessage("partition '3/3': partition index must be from 0 to 2 but was 3");
    assertThatThrownBy(() -> Partition.parse("1/0"))
        .hasMessage("partition '1/0': partition count must be >= 1 but was 0");
    assertThatThrownBy(() -> Partition.parse("two"))
        .hasMessage("partition must be I/N, instance I of N counting from 0 (0/3, 1/3, 2/3), "
            + "but was 'two'");
  }

  @Test
  void threeInstancesOnOneFeedProcessEveryMessageOnceAndAckTheRestAsSkipped() throws Exception {
    int messages = 3_000;
    int keys = 50;
    Map<Integer, List<Long>> processedBy = new HashMap<>();
    List<TrackedSource<Long>> sources = new ArrayList<>();
    List<Stats> finals = new ArrayList<>();
    for (int instance = 0; instance < 3; instance++) {
      TrackedSource<Long> source = new TrackedSource<>(messages, i -> i, i -> "key-" + (i % keys));
      List<Long> processed = Collections.synchronizedList(new ArrayList<>());
      Pipeline pipeline = Sluice.from(source.publisher()).workers(3).maxInFlight(4)
          .partition(instance, 3, m -> (String) m.key())
          .process(x -> x)
          .to(Sinks.collection(processed))
          .start();
      finals.add(pipeline.awaitCompletion());
      assertThat(pipeline.stats().skipped()).isEqualTo(finals.get(instance).skipped());
      processedBy.put(instance, processed);
      sources.add(source);
    }

    List<Long> all = new ArrayList<>();
    processedBy.values().forEach(all::addAll);
    assertThat(all).containsExactlyInAnyOrderElementsOf(
        LongStream.range(0, messages).boxed().toList());
    Set<Long> seenKeys = new HashSet<>();
    for (int instance = 0; instance < 3; instance++) {
      Set<Long> keysHere = new HashSet<>();
      for (long m : processedBy.get(instance)) {
        keysHere.add(m % keys);
        assertThat(Partition.ownerOf("key-" + (m % keys), 3)).isEqualTo(instance);
      }
      assertThat(seenKeys).doesNotContainAnyElementsOf(keysHere);
      seenKeys.addAll(keysHere);
      Stats stats = finals.get(instance);
      assertThat(stats.received()).isEqualTo(processedBy.get(instance).size());
      assertThat(stats.completed() + stats.skipped()).isEqualTo(messages);
      assertThat(stats.deadLettered()).isZero();
      sources.get(instance).assertEachSettledOnce();
      assertThat(sources.get(instance).acks).hasSize(messages);
    }
    assertThat(finals.stream().mapToLong(Stats::skipped).sum()).isEqualTo(2L * messages);
    assertThat(seenKeys).hasSize(keys);
  }

  @Test
  void theStatsListenerAndTheSummaryLineShowTheSkippedCount() throws Exception {
    TrackedSource<Long> source = new TrackedSource<>(100, i -> i, i -> null);
    List<Stats> seen = Collections.synchronizedList(new ArrayList<>());
    Pipeline pipeline = Sluice.from(source.publisher()).workers(1)
        .partition(0, 2, m -> String.valueOf(m.payload()))
        .onStats(Duration.ofMillis(10), seen::add)
        .process(x -> x).start();
    Stats done = pipeline.completion().get();
    long expectedSkipped = LongStream.range(0, 100)
        .filter(i -> Partition.ownerOf(String.valueOf(i), 2) != 0).count();
    assertThat(done.skipped()).isEqualTo(expectedSkipped).isPositive();
    assertThat(done.summaryLine()).contains(", skipped " + expectedSkipped + ", ");
    assertThat(seen).allSatisfy(s -> assertThat(s.skipped()).isLessThanOrEqualTo(expectedSkipped));
    assertThat(new Stats(Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, Duration.ZERO,
        Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, 1, false)
        .summaryLine()).doesNotContain("skipped");
  }
}
