package dev.sluice.mqtt.internal;

import dev.sluice.Message;
import dev.sluice.mqtt.MqttOverflowException;
import dev.sluice.mqtt.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The buffer between one MQTT client and the one subscriber of an {@code MqttSource}, and that
 * subscriber's {@link Flow.Subscription}.
 *
 * <p><b>Backpressure.</b> Messages are delivered only against demand. QoS 1/2 messages are
 * bounded by Receive Maximum (MQTT 5) or the broker's in-flight limit (3.1.1), since they stay
 * unacknowledged until the pipeline settles them; a broker that sends more anyway (Mosquitto
 * 2.0.11 does) meets {@code ackedCapacity}: the event loop blocks until the subscriber takes one,
 * so the socket is not read and the backlog waits at the broker. QoS 0 messages are held up to
 * {@code qos0Capacity}; beyond that the {@link OverflowPolicy} applies.
 *
 * <p><b>Concurrency.</b> {@link #offer} runs on the client's event-loop thread; {@code request}
 * and {@code cancel} on the subscriber's threads; acks on any thread. The deque is guarded by
 * {@code lock}. Delivery is a work-in-progress drain loop: whichever thread raises {@code wip}
 * from 0 delivers for all, so {@code onNext} is never called concurrently (rule 1.3), and never
 * under the lock.
 *
 * <p><b>Shutdown.</b> After {@code limit} deliveries the subscriber is completed and the inbox
 * cancels itself. After {@code cancel}, buffered messages are dropped unacknowledged (the
 * broker redelivers QoS 1/2 on the next connection) and, once every delivered message has been
 * settled, {@code onIdle} runs once: the source disconnects there, so the acks go out first.
 */
public final class Inbox implements Flow.Subscription {

  /** Builds a message around an incoming publish; {@code acknowledger} settles it here. */
  public interface MessageFactory {
    Message<byte[]> create(Incoming incoming, long sequence, dev.sluice.Acknowledger acknowledger);
  }

  private final Flow.Subscriber<? super Message<byte[]>> subscriber;
  private final MessageFactory factory;
  private final int qos0Capacity;
  private final int ackedCapacity;
  private final OverflowPolicy policy;
  private final long limit;
  private final Runnable onIdle;
  private long delivered;                                                 // drain loop only

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Message<byte[]>> queue = new ArrayDeque<>();   // guarded by lock
  private final ArrayDeque<Boolean> isQos0 = new ArrayDeque<>();          // parallel to queue
  private int qos0Count;                                                  // guarded by lock

  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();
  private final Map<Long, Long> window = new ConcurrentHashMap<>();       // sequence -> nanos
  private volatile boolean cancelled;
  private volatile Throwable error;
  private boolean done;                                                   // drain loop only
  private final AtomicInteger idleRan = new AtomicInteger();

  final LongAdder received = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder nacked = new LongAdder();
  final LongAdder dropped = new LongAdder();

  public Inbox(Flow.Subscriber<? super Message<byte[]>> subscriber, MessageFactory factory,
      int qos0Capacity, OverflowPolicy policy, int ackedCapacity, long limit, Runnable onIdle) {
    this.subscriber = subscriber;
    this.limit = limit;
    this.factory = factory;
    this.qos0Capacity = qos0Capacity;
    this.ackedCapacity = ackedCapacity;
    this.policy = policy;
    this.onIdle = onIdle;
  }

  /** Next sequence number, for messages the source settles itself (rejects). */
  public long nextSequence() {
    return sequence.getAndIncrement();
  }

  /** Counts a message received and handled outside the queue (a reject). */
  public void countReceived() {
    received.increment();
  }

  /** Takes one publish from the client. Called on the client's event-loop thread. */
  public void offer(Incoming incoming) {
    received.increment();
    if (cancelled || error != null) {
      return;        // unacknowledged: the broker redelivers QoS 1/2 to the next connection
    }
    long seq = sequence.getAndIncrement();
    boolean qos0 = incoming.qos() == 0;
    if (!qos0) {
      window.put(seq, System.nanoTime());
    }
    Message<byte[]> message = factory.create(incoming, seq, new Settle(seq, incoming.acknowledge()));
    lock.lock();
    try {
      if (qos0 && qos0Count >= qos0Capacity && !admitQos0()) {
        return;
      }
      if (!qos0 && queue.size() - qos0Count >= ackedCapacity && !awaitRoom()) {
        window.remove(seq);
        return;             // cancelled: left unacknowledged, redelivered to the next connection
      }
      queue.addLast(message);
      isQos0.addLast(qos0);
      if (qos0) {
        qos0Count++;
      }
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** Applies the overflow policy with the lock held; false if the new message is not queued. */
  private boolean admitQos0() {
    switch (policy) {
      case DROP_NEWEST:
        dropped.increment();
        return false;
      case DROP_OLDEST:
        Iterator<Message<byte[]>> messages = queue.iterator();
        Iterator<Boolean> kinds = isQos0.iterator();
        while (messages.hasNext()) {
          messages.next();
          if (kinds.next()) {
            messages.remove();
            kinds.remove();
            qos0Count--;
            dropped.increment();
            return true;
          }
        }
        return true;
      case FAIL:
        dropped.increment();
        error = new MqttOverflowException(qos0Capacity);
        return false;
      case BLOCK:
      default:
        try {
          while (qos0Count >= qos0Capacity && !cancelled) {
            notFull.await(100, TimeUnit.MILLISECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          dropped.increment();
          return false;
        }
        return !cancelled;
    }
  }

  /**
   * Blocks the event loop, with the lock held, until the subscriber takes a QoS 1/2 message:
   * the socket is not read meanwhile, so TCP holds the backlog at the broker. For brokers that
   * send more than Receive Maximum. False if cancelled or interrupted while waiting.
   */
  private boolean awaitRoom() {
    try {
      while (queue.size() - qos0Count >= ackedCapacity && !cancelled) {
        notFull.await(100, TimeUnit.MILLISECONDS);
      }
      return !cancelled;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Fails the subscriber (connection or subscription failure) at the next chance. */
  public void fail(Throwable cause) {
    if (error == null) {
      error = Objects.requireNonNull(cause, "cause");
    }
    drain();
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      fail(new IllegalArgumentException("rule 3.9: request must be > 0 but was " + n));
      return;
    }
    requested.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
    drain();
  }

  @Override
  public void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    lock.lock();
    try {
      for (Message<byte[]> m : queue) {
        window.remove(m.sequence());
      }
      queue.clear();
      isQos0.clear();
      qos0Count = 0;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
    maybeIdle();
  }

  public boolean isCancelled() {
    return cancelled;
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      while (!done && !cancelled) {
        if (error != null) {
          done = true;
          cancel();
          subscriber.onError(error);
          break;
        }
        if (requested.get() == 0) {
          break;
        }
        Message<byte[]> next;
        lock.lock();
        try {
          next = queue.pollFirst();
          if (next != null) {
            if (isQos0.pollFirst()) {
              qos0Count--;
            }
            notFull.signalAll();
          }
        } finally {
          lock.unlock();
        }
        if (next == null) {
          break;
        }
        requested.decrementAndGet();
        outstanding.incrementAndGet();
        subscriber.onNext(next);
        if (++delivered == limit) {
          done = true;
          cancel();                 // what is buffered stays unacknowledged for the next run
          subscriber.onComplete();
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void settled() {
    if (outstanding.decrementAndGet() == 0) {
      maybeIdle();
    }
  }

  private void maybeIdle() {
    if (cancelled && outstanding.get() == 0 && idleRan.compareAndSet(0, 1)) {
      onIdle.run();
    }
  }

  /** Messages received and not yet taken by the subscriber. */
  public int buffered() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Unacknowledged QoS 1/2 messages. */
  public int unacked() {
    return window.size();
  }

  /** Age of the oldest unacknowledged QoS 1/2 message, zero when none. */
  public Duration oldestUnacked() {
    long now = System.nanoTime();
    long oldest = now;
    for (long t : window.values()) {
      if (t - oldest < 0) {
        oldest = t;
      }
    }
    return Duration.ofNanos(now - oldest);
  }

  public long received() { return received.sum(); }

  public long acked() { return acked.sum(); }

  public long nacked() { return nacked.sum(); }

  public long dropped() { return dropped.sum(); }

  /** The acknowledger of one delivered message; {@link Message} calls exactly one method once. */
  private final class Settle implements dev.sluice.Acknowledger {
    private final long seq;
    private final Runnable acknowledge;

    Settle(long seq, Runnable acknowledge) {
      this.seq = seq;
      this.acknowledge = acknowledge;
    }

    @Override
    public void ack() {
      acknowledge.run();
      window.remove(seq);
      acked.increment();
      settled();
    }

    @Override
    public void nack(Throwable cause) {
      // Left unacknowledged on purpose: the broker redelivers it to this client id's next
      // connection. The HiveMQ client acknowledges in order, so later acks wait behind it.
      window.remove(seq);
      nacked.increment();
      settled();
    }
  }
}
