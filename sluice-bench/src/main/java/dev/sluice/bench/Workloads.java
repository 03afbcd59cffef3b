package dev.sluice.bench;

import dev.sluice.Pipeline;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The work the benchmarks hand to each engine: pre-generated payloads, a no-op, and a
 * CPU-bound task of about one millisecond.
 *
 * <p>Every engine gets the same payload objects and the same task code, so what differs between
 * two scores is the dispatch machinery alone.
 */
final class Workloads {

  /** The two CPU-bound workers that issue #2's targets are stated for. */
  static final int WORKERS = 2;

  /** How long one invocation may take before it counts as hung (JMH's own limit is 10 min). */
  static final Duration HUNG = Duration.ofSeconds(20);

  /** Written only when a result hits a value it practically never has: keeps the JIT honest. */
  @SuppressWarnings("unused")
  private static volatile long sink;

  private Workloads() {
  }

  /** {@code 0, 1, ... n-1}, boxed once here so that no engine pays for boxing. */
  static Integer[] payloads(int n) {
    Integer[] payloads = new Integer[n];
    for (int i = 0; i < n; i++) {
      payloads[i] = i;
    }
    return payloads;
  }

  /** A cheap {@link Iterable} over the payloads (no copying). */
  static List<Integer> asList(Integer[] payloads) {
    return Arrays.asList(payloads);
  }

  /** The no-op processor: returns its payload. */
  /**
   * The benchmarks' source: {@code iterable} is {@code Sources.fromIterable} over the payloads,
   * {@code array} this module's minimal {@link ArrayPublisher}.
   */
  static java.util.concurrent.Flow.Publisher<dev.sluice.Message<Integer>> source(String kind,
      Integer[] payloads) {
    return switch (kind) {
      case "iterable" -> dev.sluice.Sources.fromIterable(asList(payloads));
      case "array" -> new ArrayPublisher<>(payloads);
      default -> throw new IllegalArgumentException(
          "source must be iterable or array but was " + kind);
    };
  }

  static Integer noop(Integer payload) {
    return payload;
  }

  /**
   * Busy work: {@code iterations} rounds of xorshift from {@code seed}. The result is consumed
   * so the loop cannot be removed as dead code.
   */
  static long spin(long iterations, long seed) {
    long x = seed | 1;
    for (long i = 0; i < iterations; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    consume(x);
    return x;
  }

  /** Busy work until {@code nanos} of wall-clock time have passed since the call. */
  static long spinFor(long nanos, long seed) {
    long x = seed | 1;
    long end = System.nanoTime() + nanos;
    do {
      for (int i = 0; i < 64; i++) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
    } while (System.nanoTime() - end < 0);
    consume(x);
    return x;
  }

  /**
   * How many {@link #spin} iterations take {@code nanos} on one otherwise idle core: warms the
   * loop up, then times many short runs and keeps the fastest. Another process can only slow a
   * run down, and a short run is likely to slip between two of its time slices, so the fastest
   * of many is close to the speed of an idle core.
   */
  static long calibrate(long nanos) {
    long probe = 50_000;
    for (int i = 0; i < 2_000; i++) {
      spin(probe, i);
    }
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 2_000; i++) {
      long start = System.nanoTime();
      spin(probe, i);
      best = Math.min(best, System.nanoTime() - start);
    }
    return Math.max(1, probe * nanos / best);
  }

  /**
   * Waits for {@code pipeline} to complete and checks that it completed {@code expected}
   * messages. A pipeline still running after {@link #HUNG} fails the invocation with its
   * statistics, rather than stalling the whole run.
   */
  static Stats await(Pipeline pipeline, long expected) throws InterruptedException {
    Stats stats;
    try {
      stats = pipeline.completion().get(HUNG.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("pipeline hung for " + HUNG + ": "
          + pipeline.stats().summaryLine(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("pipeline failed: " + e.getCause(), e.getCause());
    }
    if (stats.completed() != expected) {
      throw new IllegalStateException(
          "expected " + expected + " completed but " + stats.summaryLine());
    }
    return stats;
  }

  private static void consume(long x) {
    if (x == 0x5EED_5EED_5EED_5EEDL) {
      sink = x;
    }
  }
}
