package dev.sluice.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OffsetMetadataTest {

  @Test
  void roundTripsTheFinishedOffsetsAboveTheWatermark() {
    String text = OffsetMetadata.encode(100, new long[] {101, 105, 170}, 4000);
    assertThat(text).startsWith("sluice1:");
    assertThat(OffsetMetadata.decode(100, text)).containsExactly(101, 105, 170);
  }

  @Test
  void nothingFinishedEncodesToNothing() {
    assertThat(OffsetMetadata.encode(7, new long[0], 4000)).isEmpty();
    assertThat(OffsetMetadata.decode(7, "")).isEmpty();
  }

  @Test
  void foreignOrDamagedMetadataMeansNothingToSkip() {
    assertThat(OffsetMetadata.decode(0, null)).isEmpty();
    assertThat(OffsetMetadata.decode(0, "committed by some other tool")).isEmpty();
    assertThat(OffsetMetadata.decode(0, "sluice1:***")).isEmpty();
  }

  @Test
  void tooManyOffsetsAreCutFromTheTopSoNothingIsSkippedWrongly() {
    long[] finished = new long[100_000];
    for (int i = 0; i < finished.length; i++) {
      finished[i] = i + 1L;     // watermark 0, offsets 1..100000 finished
    }
    String text = OffsetMetadata.encode(0, finished, 400);
    assertThat(text.length()).isLessThanOrEqualTo(400);
    long[] decoded = OffsetMetadata.decode(0, text);
    assertThat(decoded).isNotEmpty();
    for (int i = 0; i < decoded.length; i++) {
      assertThat(decoded[i]).isEqualTo(i + 1L);   // a prefix of what was finished
    }
  }

  @Test
  void randomSetsRoundTrip() {
    long seed = System.nanoTime();
    System.out.println("OffsetMetadataTest.randomSetsRoundTrip seed=" + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 500; round++) {
      long watermark = random.nextInt(1_000_000);
      TreeSet<Long> set = new TreeSet<>();
      int n = random.nextInt(300);
      for (int i = 0; i < n; i++) {
        set.add(watermark + 1 + random.nextInt(5000));
      }
      long[] offsets = set.stream().mapToLong(Long::longValue).toArray();
      long[] decoded = OffsetMetadata.decode(watermark,
          OffsetMetadata.encode(watermark, offsets, OffsetMetadata.DEFAULT_MAX_CHARS));
      assertThat(decoded).as("seed %d round %d", seed, round).containsExactly(offsets);
    }
  }
}
