package dev.sluice.kafka.internal;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One partition's records between fetch and completion, and the <em>completion watermark</em>:
 * the offset to commit, below which every record this tracker was given is finished.
 *
 * <p><b>Why.</b> Records of one partition finish out of order (many workers, keyed lanes), but
 * Kafka stores one committed offset per partition and a consumer restarts there. Committing the
 * highest finished offset would skip the unfinished ones below it; committing only the
 * watermark never skips unfinished work, and at worst redelivers the finished records above it
 * (which {@link #finishedAbove()} lets a new owner skip, see {@link OffsetMetadata}).
 *
 * <p><b>Gaps.</b> Offsets need not be contiguous (transaction markers, compacted topics): an
 * offset never {@link #started} is not waited for. Offsets must be started in increasing order.
 *
 * <p><b>Cost.</b> A ring of the started-but-not-yet-below-the-watermark offsets, ordered, so
 * {@link #finish} is a binary search and the watermark moves in amortised O(1). Memory follows
 * the number of records in flight for the partition, which the pipeline bounds.
 *
 * <p><b>Threads.</b> Thread-safe: the poll thread starts offsets and reads the watermark;
 * workers and sink threads finish offsets. Every method holds this object's monitor briefly;
 * {@link #awaitIdle} waits on it.
 */
public final class OffsetTracker {

  private static final int INITIAL_CAPACITY = 64;

  private long[] offsets = new long[INITIAL_CAPACITY];
  private boolean[] finished = new boolean[INITIAL_CAPACITY];
  private int head;          // index of the oldest entry
  private int size;          // entries in the ring: the oldest is always unfinished
  private int unfinished;    // entries not yet finished
  private long next;         // the watermark when the ring is empty: one past the last started

  /**
   * A tracker whose watermark starts at {@code position}, the partition's fetch position when
   * it was assigned (so an idle partition commits where it is).
   */
  public OffsetTracker(long position) {
    if (position < 0) {
      throw new IllegalArgumentException("position must be >= 0 but was " + position);
    }
    this.next = position;
  }

  /**
   * Records that {@code offset} was fetched and handed on; it holds the watermark back until
   * it is finished.
   *
   * @throws IllegalArgumentException if {@code offset} is not above every offset started so far
   *     and not at or above the starting position
   */
  public synchronized void start(long offset) {
    long last = size == 0 ? next - 1 : offsets[index(size - 1)];
    if (offset <= last) {
      throw new IllegalArgumentException("offsets must be started in increasing order: "
          + offset + " after " + last);
    }
    if (size == offsets.length) {
      grow();
    }
    int i = index(size);
    offsets[i] = offset;
    finished[i] = false;
    size++;
    unfinished++;
  }

  /**
   * Takes back the last {@link #start}, of {@code offset}, when its record could not be handed
   * on after all (it will be fetched again, or handed on later).
   *
   * @throws IllegalStateException if {@code offset} is not the last started and unfinished
   */
  public synchronized void unstart(long offset) {
    if (size == 0 || offsets[index(size - 1)] != offset || finished[index(size - 1)]) {
      throw new IllegalStateException("can only take back the last started offset, not "
          + offset);
    }
    size--;
    unfinished--;
    if (size == 0) {
      next = offset;
    }
    if (unfinished == 0) {
      notifyAll();
    }
  }

  /**
   * Records that {@code offset} is finished. Returns true if this call finished it; false if
   * it was never started, is already finished, or is below the watermark (a duplicate ack).
   */
  public synchronized boolean finish(long offset) {
    int pos = find(offset);
    if (pos < 0 || finished[index(pos)]) {
      return false;
    }
    finished[index(pos)] = true;
    unfinished--;
    if (pos == 0) {
      while (size > 0 && finished[head]) {
        next = offsets[head] + 1;
        head = (head + 1) % offsets.length;
        size--;
      }
    }
    if (unfinished == 0) {
      notifyAll();
    }
    return true;
  }

  /** The offset to commit: every started offset below it is finished. */
  public synchronized long watermark() {
    return size == 0 ? next : offsets[head];
  }

  /** How many started offsets are not finished yet. */
  public synchronized int unfinished() {
    return unfinished;
  }

  /**
   * The finished offsets above the watermark, ascending: what a new owner may skip. Empty when
   * the watermark is at the last started offset.
   */
  public synchronized long[] finishedAbove() {
    int count = size - unfinished;
    long[] out = new long[count];
    int k = 0;
    for (int pos = 0; pos < size && k < count; pos++) {
      int i = index(pos);
      if (finished[i]) {
        out[k++] = offsets[i];
      }
    }
    return out;
  }

  /**
   * Waits until every started offset is finished, or {@code timeout} passes. Returns true if
   * none is left unfinished.
   */
  public synchronized boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (unfinished > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  private int find(long offset) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long v = offsets[index(mid)];
      if (v < offset) {
        lo = mid + 1;
      } else if (v > offset) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  private int index(int pos) {
    int i = head + pos;
    return i >= offsets.length ? i - offsets.length : i;
  }

  private void grow() {
    int capacity = offsets.length * 2;
    long[] o = new long[capacity];
    boolean[] f = new boolean[capacity];
    for (int pos = 0; pos < size; pos++) {
      o[pos] = offsets[index(pos)];
      f[pos] = finished[index(pos)];
    }
    offsets = o;
    finished = f;
    head = 0;
  }

  @Override
  public synchronized String toString() {
    return "OffsetTracker[watermark=" + watermark() + ", unfinished=" + unfinished
        + ", finishedAbove=" + Arrays.toString(finishedAbove()) + "]";
  }
}
