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
 * thread settles an envelope; one lock guards the map (short critical sections, no callbacks
 * under it).
 */
final class KeyLanes<T> {

  private final Map<Object, ArrayDeque<Envelope<T>>> lanes = new HashMap<>(); // guarded by this
  private int waiting; // guarded by this

  /** True if {@code envelope} may run now; false if it waits behind its key. */
  synchronized boolean admit(Envelope<T> envelope) {
    ArrayDeque<Envelope<T>> lane = lanes.get(envelope.key);
    if (lane == null) {
      lanes.put(envelope.key, new ArrayDeque<>(2));
      return true;
    }
    lane.addLast(envelope);
    waiting++;
    return false;
  }

  /** The key's next envelope, now allowed to run, or null (the key is idle again). */
  synchronized Envelope<T> release(Object key) {
    ArrayDeque<Envelope<T>> lane = lanes.get(key);
    if (lane == null) {
      return null;
    }
    Envelope<T> next = lane.pollFirst();
    if (next == null) {
      lanes.remove(key);
    } else {
      waiting--;
    }
    return next;
  }

  /** Removes and returns every waiting envelope (the pipeline is stopping). */
  synchronized List<Envelope<T>> drainWaiting() {
    List<Envelope<T>> all = new ArrayList<>(waiting);
    for (ArrayDeque<Envelope<T>> lane : lanes.values()) {
      all.addAll(lane);
      lane.clear();
    }
    waiting = 0;
    return all;
  }

  synchronized int waiting() {
    return waiting;
  }
}
