package dev.sluice.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-key gate of {@code Ordering.BY_KEY}: at most one envelope of a key is past the gate
 * (queued, running, retrying or being written); later ones of that key wait here in arrival
 * order until it settles.
 *
 * <p><b>Bound.</b> Every waiting envelope holds an in-flight permit, so all lanes together
 * hold fewer than {@code maxInFlight}; a key's lane is removed when it empties.
 *
 * <p><b>Threads.</b> {@link #admit} from the source thread, {@link #release} from whichever
 * thread settles an envelope. The lanes are split into {@value #STRIPES} stripes by the key's
 * hash, each a map under its own lock (short critical sections, no callbacks under it): the
 * source admitting one key and workers releasing others rarely meet on a lock, where one lock
 * for all keys kept the three threads of a 2-worker pipeline taking turns on it.
 */
final class KeyLanes<T> {

  private static final int STRIPES = 16;

  /**
   * One stripe's lanes; its monitor guards the map. Padded to a cache line of its own, so that
   * locking one stripe does not pull its neighbours' lock words from another core.
   */
  @SuppressWarnings("unused")
  private static final class Stripe<T> {
    final Map<Object, ArrayDeque<Envelope<T>>> lanes = new HashMap<>();
    long p1, p2, p3, p4, p5, p6, p7;
  }

  private final List<Stripe<T>> stripes = new ArrayList<>(STRIPES);

  KeyLanes() {
    for (int i = 0; i < STRIPES; i++) {
      stripes.add(new Stripe<>());
    }
  }

  private Stripe<T> stripe(Object key) {
    int h = key.hashCode();
    return stripes.get((h ^ (h >>> 16)) & (STRIPES - 1));
  }

  /** True if {@code envelope} may run now; false if it waits behind its key. */
  boolean admit(Envelope<T> envelope) {
    Stripe<T> stripe = stripe(envelope.key);
    synchronized (stripe) {
      ArrayDeque<Envelope<T>> lane = stripe.lanes.get(envelope.key);
      if (lane == null) {
        stripe.lanes.put(envelope.key, new ArrayDeque<>(2));
        return true;
      }
      lane.addLast(envelope);
      return false;
    }
  }

  /** The key's next envelope, now allowed to run, or null (the key is idle again). */
  Envelope<T> release(Object key) {
    Stripe<T> stripe = stripe(key);
    synchronized (stripe) {
      ArrayDeque<Envelope<T>> lane = stripe.lanes.get(key);
      if (lane == null) {
        return null;
      }
      Envelope<T> next = lane.pollFirst();
      if (next == null) {
        stripe.lanes.remove(key);
      }
      return next;
    }
  }

  /** Removes and returns every waiting envelope (the pipeline is stopping). */
  List<Envelope<T>> drainWaiting() {
    List<Envelope<T>> all = new ArrayList<>();
    for (Stripe<T> stripe : stripes) {
      synchronized (stripe) {
        for (ArrayDeque<Envelope<T>> lane : stripe.lanes.values()) {
          all.addAll(lane);
          lane.clear();
        }
      }
    }
    return all;
  }
}
