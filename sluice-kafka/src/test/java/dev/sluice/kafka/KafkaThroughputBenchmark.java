package dev.sluice.kafka;

import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Records per second on the embedded broker, side by side in alternating rounds:
 * <ol>
 *   <li>a no-op Sluice pipeline (2 workers, unordered, commits on) on {@link KafkaSource}
 *       against a bare {@link KafkaConsumer} poll loop that commits asynchronously every second,
 *       on the same 4-partition topic, each round a fresh group reading it from the start;</li>
 *   <li>1 ms of CPU work per record on a 1-partition topic: Sluice with 2 workers and BY_KEY
 *       against the 2-worker ideal (N × 1 ms / 2), where a plain consumer loop gets 0.5.</li>
 * </ol>
 * Time runs from the first record to the last, so the group join (the same for both) is left
 * out; the no-op rounds alternate which of the two goes first. Not a test: run it with
 * {@code sluice-kafka/bench/run.sh N ROUNDS WORK_N}.
 */
public final class KafkaThroughputBenchmark {

  /** The no-op pipeline's window; {@code -Dbench.maxInFlight=N}, default the engine's (32). */
  private static final int MAX_IN_FLIGHT = Integer.getInteger("bench.maxInFlight", 0);

  private KafkaThroughputBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int workN = args.length > 2 ? Integer.parseInt(args[2]) : 4_000;
    TestKafka.broker().createTopic("bench", 4);
    String payload = "x".repeat(100);
    TestKafka.produce("bench", n, i -> "k" + (i % 1000), i -> payload);
    List<Double> bare = new ArrayList<>();
    List<Double> sluice = new ArrayList<>();
    List<Double> ratio = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      int r = round;
      double b;
      double s;
      if (round % 2 == 1) {                      // alternate which goes first
        b = n / bare(n, "bare-" + r);
        s = n / noOp(n, "sluice-" + r);
      } else {
        s = n / noOp(n, "sluice-" + r);
        b = n / bare(n, "bare-" + r);
      }
      bare.add(b);
      sluice.add(s);
      ratio.add(s / b);
      System.out.printf(Locale.ROOT, "round %d: bare consumer %.0f/s, sluice no-op %.0f/s, "
          + "ratio %.2f%n", round, b, s, s / b);
    }
    System.out.printf(Locale.ROOT, "no-op, %d rounds of %d records: bare consumer median "
        + "%.0f/s, Sluice median %.0f/s; ratio min %.2f, median %.2f%n", rounds, n,
        median(bare), median(sluice), Collections.min(ratio), median(ratio));

    TestKafka.broker().createTopic("bench-work", 1);
    TestKafka.produce("bench-work", workN, i -> "k" + (i % 64), i -> payload);
    double ideal = workN * 0.001 / 2;
    List<Double> efficiency = new ArrayList<>();
    List<Double> threads = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      int r = round;
      double took = work(workN, "work-" + r);
      double bareTook = bareThreads(workN);
      efficiency.add(ideal / took);
      threads.add(ideal / bareTook);
      System.out.printf(Locale.ROOT, "work round %d: Sluice %.2f s, %.2f of the 2-worker ideal; "
          + "two bare threads on an in-memory list %.2f s, %.2f%n", round, took, ideal / took,
          bareTook, ideal / bareTook);
    }
    System.out.printf(Locale.ROOT, "1 ms CPU work, 1 partition, 2 workers, BY_KEY: min %.2f, "
        + "median %.2f of the 2-worker ideal (%.2f s for %d records); two bare threads without "
        + "Kafka in the same rounds: min %.2f, median %.2f%n", Collections.min(efficiency),
        median(efficiency), ideal, workN, Collections.min(threads), median(threads));
    System.exit(0);
  }

  private static double bare(int n, String group) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", TestKafka.bootstrap());
    p.put("group.id", group);
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    p.put("partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of("bench"));
      long seen = 0;
      long first = 0;
      long nextCommit = System.nanoTime() + 1_000_000_000L;
      while (seen < n) {
        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
        if (first == 0 && !records.isEmpty()) {
          first = System.nanoTime();
        }
        seen += records.count();
        if (System.nanoTime() > nextCommit) {
          c.commitAsync();
          nextCommit = System.nanoTime() + 1_000_000_000L;
        }
      }
      c.commitSync();
      return (System.nanoTime() - first) / 1e9;
    }
  }

  private static double noOp(int n, String group) throws Exception {
    KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
        .topics("bench").group(group).stopAfter(n).build();
    AtomicLong first = new AtomicLong();
    Pipeline pipeline = Sluice.from(source).workers(2)
        .maxInFlight(MAX_IN_FLIGHT > 0 ? MAX_IN_FLIGHT : 32)
        .process(p -> {
          if (first.get() == 0) {
            first.compareAndSet(0, System.nanoTime());
          }
          return p;
        })
        .to(Sinks.discard()).start();
    pipeline.awaitCompletion();
    double took = (System.nanoTime() - first.get()) / 1e9;
    source.close();
    return took;
  }

  private static double work(int n, String group) throws Exception {
    AtomicLong first = new AtomicLong();
    KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
        .topics("bench-work").group(group).stopAfter(n).build();
    Pipeline pipeline = Sluice.from(source).workers(2).ordering(Ordering.BY_KEY)
        .process(p -> {
          first.compareAndSet(0, System.nanoTime());
          return burn(1_000_000) + p.length;         // 1 ms of CPU
        })
        .to(Sinks.discard()).start();
    pipeline.awaitCompletion();
    double took = (System.nanoTime() - first.get()) / 1e9;
    source.close();
    return took;
  }

  /**
   * The machine's own ceiling for the work in this round: two plain threads taking the same
   * number of 1 ms tasks from a shared counter, no Kafka and no pipeline.
   */
  private static double bareThreads(int n) throws InterruptedException {
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    Runnable worker = () -> {
      while (next.getAndIncrement() < n) {
        burn(1_000_000);
      }
    };
    long start = System.nanoTime();
    Thread a = new Thread(worker);
    Thread b = new Thread(worker);
    a.start();
    b.start();
    a.join();
    b.join();
    return (System.nanoTime() - start) / 1e9;
  }

  private static long burn(long nanos) {
    long end = System.nanoTime() + nanos;
    long x = 0;
    while (System.nanoTime() < end) {
      x++;
    }
    return x;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
