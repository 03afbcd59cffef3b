package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void runsAMillionNoOpMessages() throws Exception {
    for (Ordering o : Ordering.values()) {
      long t0 = System.nanoTime();
      int n = 2_000_000;
      Pipeline p = Sluice.from(Sources.fromIterable(() -> LongStream.range(0, n).boxed().iterator()))
          .workers(2).maxInFlight(1024).ordering(o)
          .process(x -> x).to(Sinks.discard()).start();
      Stats s = p.awaitCompletion();
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.println(o + ": " + s.summaryLine() + " in " + secs + " s = " + (n / secs) + "/s");
      assertThat(s.completed()).isEqualTo(n);
    }
    List<Long> out = new ArrayList<>();
    Stats s = Sluice.from(Sources.generate(10, Duration.ofMillis(10), i -> i)).workers(3)
        .ordering(Ordering.ORDERED).process(x -> { Thread.sleep(30 - x); return x; })
        .to(Sinks.collection(out)).start().awaitCompletion();
    assertThat(out).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }
}
