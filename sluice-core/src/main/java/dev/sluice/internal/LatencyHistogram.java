package dev.sluice.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A concurrent log-linear histogram of nanosecond durations: eight buckets per power of two,
 * so a percentile is within 12.5% of the true value, in fixed memory.
 *
 * <p><b>Threads.</b> {@link #record} from any thread: each thread writes one of several
 * stripes (chosen by thread id) so workers do not fight over one cache line; {@link #percentile}
 * sums the stripes and may miss a record that races with it.
 */
final class LatencyHistogram {

  private static final int SUB_BITS = 3;
  private static final int SUB = 1 << SUB_BITS;
  private static final int BUCKETS = (64 - SUB_BITS + 1) * SUB;

  private final AtomicLongArray[] stripes;
  private final int stripeMask;

  LatencyHistogram(int threads) {
    int count = Integer.highestOneBit(Math.max(1, Math.min(threads, 32)) * 2 - 1);
    stripes = new AtomicLongArray[count];
    for (int i = 0; i < count; i++) {
      stripes[i] = new AtomicLongArray(BUCKETS);
    }
    stripeMask = count - 1;
  }

  static int bucketOf(long nanos) {
    if (nanos < SUB) {
      return (int) Math.max(0, nanos);
    }
    int exponent = 63 - Long.numberOfLeadingZeros(nanos);
    return (exponent - SUB_BITS + 1) * SUB + (int) ((nanos >>> (exponent - SUB_BITS)) & (SUB - 1));
  }

  /** The middle of bucket {@code index}'s range. */
  static long valueOf(int index) {
    if (index < SUB) {
      return index;
    }
    int exponent = index / SUB + SUB_BITS - 1;
    int sub = index % SUB;
    long lower = (long) (SUB + sub) << (exponent - SUB_BITS);
    long width = 1L << (exponent - SUB_BITS);
    return lower + width / 2;
  }

  void record(long nanos) {
    stripes[(int) Thread.currentThread().getId() & stripeMask].getAndIncrement(bucketOf(nanos));
  }

  /** The value at quantile {@code q} in [0, 1] of everything recorded, or 0 if nothing was. */
  long percentile(double q) {
    long[] counts = new long[BUCKETS];
    long total = 0;
    for (AtomicLongArray stripe : stripes) {
      for (int i = 0; i < BUCKETS; i++) {
        long c = stripe.get(i);
        counts[i] += c;
        total += c;
      }
    }
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return valueOf(i);
      }
    }
    return valueOf(BUCKETS - 1);
  }
}
