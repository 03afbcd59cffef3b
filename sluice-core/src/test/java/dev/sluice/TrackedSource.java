package dev.sluice;

import dev.sluice.internal.PullPublisher;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A test source of {@code count} messages (payload = index from 0) that records every ack and
 * nack and the highest number of messages delivered but not yet settled. An optional check runs
 * at each ack, to prove a message is acknowledged only after its result was written.
 */
final class TrackedSource<T> {

  final int count;
  final Map<Long, AtomicInteger> acks = new ConcurrentHashMap<>();
  final Map<Long, AtomicInteger> nacks = new ConcurrentHashMap<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong settled = new AtomicLong();
  final AtomicLong maxOutstanding = new AtomicLong();
  private final LongFunction<T> payload;
  private final LongFunction<Object> key;
  /** Why each nacked message was nacked (the first cause, for a message nacked once). */
  final Map<Long, Throwable> nackCauses = new ConcurrentHashMap<>();
  private volatile java.util.function.LongPredicate ackCheck = i -> true;
  private volatile long failAt = -1;
  private volatile Exception failure;

  TrackedSource(int count, LongFunction<T> payload, LongFunction<Object> key) {
    this.count = count;
    this.payload = payload;
    this.key = key;
  }

  static TrackedSource<Long> ofLongs(int count) {
    return new TrackedSource<>(count, i -> i, i -> null);
  }

  /** A check each ack must pass (e.g. "the sink has the result"). */
  TrackedSource<T> checkOnAck(java.util.function.LongPredicate check) {
    this.ackCheck = check;
    return this;
  }

  /**
   * The source fails mid-stream: after {@code delivered} messages its next read throws
   * {@code cause}, which the publisher signals as {@code onError}.
   */
  TrackedSource<T> failAfter(long delivered, Exception cause) {
    this.failure = cause;
    this.failAt = delivered;
    return this;
  }

  Flow.Publisher<Message<T>> publisher() {
    return new PullPublisher<>(() -> new PullPublisher.Pull<>() {
      private long next;

      @Override
      public Message<T> next() throws Exception {
        if (next == failAt) {
          throw failure;
        }
        if (next == count) {
          return null;
        }
        long index = next++;
        long out = delivered.incrementAndGet() - settled.get();
        maxOutstanding.accumulateAndGet(out, Math::max);
        return Message.builder(payload.apply(index)).key(key.apply(index)).sequence(index)
            .acknowledger(new Acknowledger() {
              @Override
              public void ack() {
                if (!ackCheck.test(index)) {
                  violations.add("acked before its result was written: " + index);
                }
                acks.computeIfAbsent(index, k -> new AtomicInteger()).incrementAndGet();
                settled.incrementAndGet();
              }

              @Override
              public void nack(Throwable cause) {
                nackCauses.putIfAbsent(index, cause);
                nacks.computeIfAbsent(index, k -> new AtomicInteger()).incrementAndGet();
                settled.incrementAndGet();
              }
            }).build();
      }
    }, true, "test-source");
  }

  /** Every delivered message was acked or nacked exactly once, and never both. */
  void assertEachSettledOnce() {
    for (long i = 0; i < delivered.get(); i++) {
      int a = acks.getOrDefault(i, new AtomicInteger()).get();
      int n = nacks.getOrDefault(i, new AtomicInteger()).get();
      if (a + n != 1) {
        throw new AssertionError("message " + i + " acked " + a + " and nacked " + n + " times");
      }
    }
    if (!violations.isEmpty()) {
      throw new AssertionError(violations.subList(0, Math.min(5, violations.size())).toString());
    }
  }
}
