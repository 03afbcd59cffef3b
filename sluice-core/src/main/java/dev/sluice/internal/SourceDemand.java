package dev.sluice.internal;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pipeline's side of its source subscription: demand to signal and the cancel.
 *
 * <p><b>Concurrency.</b> The Flow rules (2.7) require {@code request} and {@code cancel} calls
 * to be serial, yet settlements that earn new demand happen on many threads. Callers add to
 * {@link #pending} (or set {@link #cancelRequested}) and then try to enter the drain; whoever
 * is inside does every caller's work before leaving (a work-in-progress counter, as in
 * Reactor's operators). A synchronous source that calls {@code onNext} from inside
 * {@code request} re-enters harmlessly: the inner caller finds the drain busy and leaves its
 * demand for the outer loop.
 */
final class SourceDemand {

  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelRequested;
  private boolean cancelled;                  // touched only inside the drain

  SourceDemand(long initial) {
    pending.set(initial);
  }

  /** Takes the subscription; false (and cancels it) if one was already taken (rule 2.5). */
  boolean subscribed(Flow.Subscription s) {
    if (subscription != null) {
      s.cancel();
      return false;
    }
    subscription = s;
    drain();
    return true;
  }

  void request(long n) {
    pending.addAndGet(n);
    drain();
  }

  /** Messages asked of the source so far, in all. Any thread. */
  long requested() {
    return requested.get();
  }

  void cancel() {
    cancelRequested = true;
    drain();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      Flow.Subscription s = subscription;
      if (s != null) {
        if (cancelRequested) {
          pending.set(0);
          if (!cancelled) {
            cancelled = true;
            s.cancel();
          }
        } else {
          long n = pending.getAndSet(0);
          if (n > 0) {
            requested.addAndGet(n);
            s.request(n);
          }
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }
}
