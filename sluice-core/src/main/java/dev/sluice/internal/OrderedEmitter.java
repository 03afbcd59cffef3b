package dev.sluice.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Puts final envelopes back in arrival order for {@code Ordering.ORDERED}.
 *
 * <p><b>Ring.</b> A final envelope (result ready, dead-lettered or nacked) is stored at slot
 * {@code seq mod capacity}; the drain writes slots from {@code head} on while they are filled.
 * Every envelope from {@code head} to the newest received one holds an in-flight permit until
 * it is acknowledged, which happens after it leaves the ring, so there are never more than
 * {@code maxInFlight <= capacity} of them and no two share a slot.
 *
 * <p><b>Drain.</b> One thread at a time drains (a work-in-progress counter, as in Reactor's
 * operators); a thread that finds the drain busy leaves its envelope for the drainer, which
 * loops until no work was missed. So {@code onReady} calls never overlap, and each
 * happens-before the next.
 */
final class OrderedEmitter<T> {

  private final AtomicReferenceArray<Envelope<T>> ring;
  private final int mask;
  private final AtomicInteger wip = new AtomicInteger();
  private final Consumer<Envelope<T>> onReady;
  private long head; // touched only by the draining thread

  OrderedEmitter(int maxInFlight, Consumer<Envelope<T>> onReady) {
    int capacity = Integer.highestOneBit(Math.max(2, maxInFlight - 1)) << 1;
    this.ring = new AtomicReferenceArray<>(capacity);
    this.mask = capacity - 1;
    this.onReady = onReady;
  }

  /** Hands over a final envelope; writes it, and any after it now in order, if it is next. */
  void ready(Envelope<T> envelope) {
    ring.setRelease((int) (envelope.seq & mask), envelope);
    drain();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      for (;;) {
        int index = (int) (head & mask);
        Envelope<T> next = ring.getAcquire(index);
        if (next == null || next.seq != head) {
          break;
        }
        ring.lazySet(index, null);
        head++;
        onReady.accept(next);
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }
}
