package dev.sluice.sqs.internal;

import dev.sluice.Acknowledger;
import dev.sluice.spi.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;

/**
 * Settles what a source received: deletes acknowledged messages ({@code DeleteMessageBatch}),
 * releases nacked ones (visibility 0, so another consumer gets them now), and keeps the
 * visibility of those still in progress alive ({@code ChangeMessageVisibilityBatch}).
 *
 * <p><b>Concurrency.</b> One thread of its own ({@code NAME-settle}) makes every SQS call.
 * {@link Tracked#ack()} and {@link Tracked#nack} may be called from any thread: they flip the
 * message's settled flag once, take it out of the set being kept alive and queue an
 * operation; they never block and never call SQS.
 *
 * <p><b>Ordering.</b> Because one thread makes all calls, a release (visibility 0) is always
 * sent after any extension of the same message, never overtaken by it; and a message is no
 * longer extended once it is settled.
 *
 * <p><b>Batching.</b> Operations of a kind are sent ten at a time, or when the oldest has
 * waited {@code linger}, whichever comes first. Each entry's result is read: an entry SQS
 * failed on its side is retried (up to {@value #MAX_ATTEMPTS} attempts), one it refused
 * (an expired receipt handle) is counted and logged: that message will be delivered again.
 *
 * <p><b>Backpressure.</b> At most {@code maxUnsettled} messages are tracked between receipt and
 * the end of their delete or release; the receiver asks {@link #room()} before each receive,
 * so the operation queue is bounded by that number.
 *
 * <p><b>Shutdown.</b> {@link #close} stops extending, releases every message still unsettled,
 * sends what is queued and ends the thread.
 */
public final class Settler {

  private static final Logger LOG = LoggerFactory.getLogger(Settler.class);
  static final int MAX_ATTEMPTS = 5;
  private static final int BATCH = 10;
  private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(100),
      Duration.ofSeconds(2));

  /** What the settle thread does with one message. */
  private enum Kind { DELETE, RELEASE }

  private record Op(Tracked message, Kind kind, long queuedNanos, int attempt) { }

  /** Queued by {@link #close} to wake the settle thread (an interrupt could abort a call). */
  private static final Op WAKE = new Op(null, Kind.DELETE, 0, 0);

  private final SqsClient client;
  private final String queueUrl;
  private final String name;
  private final int visibilitySeconds;
  private final long visibilityNanos;
  private final long maxExtensionNanos;
  private final long lingerNanos;
  private final long scanNanos;
  private final int maxUnsettled;
  private final LongSupplier clock;
  private final Runnable onRoom;
  private final Runnable periodic;
  private final long periodicNanos;

  private final BlockingQueue<Op> ops;
  private final Set<Tracked> inProgress = ConcurrentHashMap.newKeySet();
  private final AtomicInteger unsettled = new AtomicInteger();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final Thread thread;

  final LongAdder deleted = new LongAdder();
  final LongAdder released = new LongAdder();
  final LongAdder extended = new LongAdder();
  final LongAdder lost = new LongAdder();
  final LongAdder ceilingReached = new LongAdder();

  /**
   * @param periodic run on the settle thread every {@code periodicEvery} (stats sampling), or
   *                 null for none
   */
  public Settler(SqsClient client, String queueUrl, String name, Duration visibility,
      Duration maxExtension, Duration linger, int maxUnsettled, LongSupplier clock,
      Runnable onRoom, Runnable periodic, Duration periodicEvery) {
    this.client = client;
    this.queueUrl = queueUrl;
    this.name = name;
    this.visibilitySeconds = (int) visibility.toSeconds();
    this.visibilityNanos = visibility.toNanos();
    this.maxExtensionNanos = maxExtension.toNanos();
    this.lingerNanos = linger.toNanos();
    // Often enough that a message is extended while at least a third of its time is left.
    this.scanNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50),
        Math.min(TimeUnit.SECONDS.toNanos(1), visibilityNanos / 6));
    this.maxUnsettled = maxUnsettled;
    this.clock = clock;
    this.onRoom = onRoom;
    this.periodic = periodic;
    this.periodicNanos = periodicEvery == null ? Long.MAX_VALUE : periodicEvery.toNanos();
    this.ops = new LinkedBlockingQueue<>(maxUnsettled + 1);
    this.thread = new Thread(this::run, name + "-settle");
    thread.setDaemon(true);
  }

  /** Starts the settle thread; call once. */
  public void start() {
    thread.start();
  }

  /** How many more messages may be received now (0 while deletes lag behind). */
  public int room() {
    return closing.get() ? 0 : maxUnsettled - unsettled.get();
  }

  /** Messages received and not yet deleted or released. */
  public int unsettled() {
    return unsettled.get();
  }

  /** Messages received, not yet acknowledged or nacked. */
  public int inProgress() {
    return inProgress.size();
  }

  public long deleted() { return deleted.sum(); }
  public long released() { return released.sum(); }
  public long extended() { return extended.sum(); }
  /** Deletes or releases that SQS refused (expired receipt handle): those come back. */
  public long lost() { return lost.sum(); }
  /** Messages whose visibility stopped being extended because they reached the ceiling. */
  public long ceilingReached() { return ceilingReached.sum(); }

  /**
   * Starts keeping a just-received message; returns its acknowledger. Called by the receiver
   * thread only, within {@link #room()}.
   */
  public Tracked track(String messageId, String receiptHandle) {
    Tracked t = new Tracked(messageId, receiptHandle, clock.getAsLong());
    unsettled.incrementAndGet();
    inProgress.add(t);
    return t;
  }

  /**
   * Stops extending, releases what is still in progress, sends everything queued, and waits
   * up to {@code timeout} for that. Safe from any thread, more than once.
   *
   * @return true if everything was sent in time
   */
  public boolean close(Duration timeout) throws InterruptedException {
    if (closing.compareAndSet(false, true)) {
      for (Tracked t : inProgress) {
        t.nack(null);
      }
      ops.offer(WAKE);        // the one place beyond maxUnsettled; the loop sees closing
    }
    return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void enqueue(Tracked t, Kind kind) {
    inProgress.remove(t);
    // Never full: at most maxUnsettled messages are tracked, each queued once at a time.
    if (!ops.offer(new Op(t, kind, clock.getAsLong(), 1))) {
      LOG.error("{}: settle queue full; message {} will be redelivered", name, t.messageId);
    }
  }

  private void run() {
    ArrayDeque<Op> deletes = new ArrayDeque<>();
    ArrayDeque<Op> releases = new ArrayDeque<>();
    long now = clock.getAsLong();
    long nextScan = now + scanNanos;
    long nextPeriodic = periodic == null ? Long.MAX_VALUE : now;
    try {
      while (true) {
        boolean stop = closing.get();
        now = clock.getAsLong();
        long deadline = Math.min(nextScan, nextPeriodic);
        if (!deletes.isEmpty()) deadline = Math.min(deadline, deletes.peek().queuedNanos + lingerNanos);
        if (!releases.isEmpty()) deadline = Math.min(deadline, releases.peek().queuedNanos + lingerNanos);
        Op op = null;
        if (!stop && deadline > now) {
          try {
            op = ops.poll(deadline - now, TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("{}: settle thread interrupted; unsettled messages will be redelivered", name);
            return;
          }
        } else {
          op = ops.poll();
        }
        for (; op != null; op = ops.poll()) {
          if (op != WAKE) {
            (op.kind == Kind.DELETE ? deletes : releases).add(op);
          }
        }
        stop = closing.get();
        now = clock.getAsLong();
        sendDue(deletes, Kind.DELETE, now, stop);
        sendDue(releases, Kind.RELEASE, now, stop);
        if (stop) {
          if (ops.isEmpty() && deletes.isEmpty() && releases.isEmpty()) {
            return;
          }
          continue;
        }
        if (now - nextScan >= 0) {
          extendDue(now);
          nextScan = now + scanNanos;
        }
        if (now - nextPeriodic >= 0) {
          runPeriodic();
          nextPeriodic = now + periodicNanos;
        }
      }
    } catch (RuntimeException | Error e) {
      LOG.error("{}: the settle thread failed; unsettled messages will be redelivered", name, e);
    } finally {
      ended.countDown();
    }
  }

  private void runPeriodic() {
    try {
      periodic.run();
    } catch (RuntimeException e) {
      LOG.debug("{}: periodic task failed: {}", name, e.toString());
    }
  }

  private void sendDue(ArrayDeque<Op> pending, Kind kind, long now, boolean flush) {
    while (!pending.isEmpty() && (pending.size() >= BATCH || flush
        || now - pending.peek().queuedNanos >= lingerNanos)) {
      List<Op> batch = new ArrayList<>(BATCH);
      while (batch.size() < BATCH && !pending.isEmpty()) {
        batch.add(pending.poll());
      }
      List<Op> retry = send(batch, kind);
      int done = batch.size() - retry.size();
      for (Op op : retry) {
        if (op.attempt >= MAX_ATTEMPTS) {
          lost.increment();
          done++;
          LOG.warn("{}: gave up on {} of message {} after {} attempts; it will be redelivered",
              name, kind == Kind.DELETE ? "deleting" : "releasing", op.message.messageId,
              op.attempt);
        } else {
          pending.add(new Op(op.message, kind, now, op.attempt + 1));
        }
      }
      if (done > 0 && unsettled.getAndAdd(-done) >= maxUnsettled - BATCH) {
        onRoom.run();
      }
      if (!retry.isEmpty()) {
        pause(retry.get(0).attempt);
      }
    }
  }

  /** Sends one batch; returns the entries to try again. */
  private List<Op> send(List<Op> batch, Kind kind) {
    Map<String, Op> byId = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      byId.put(Integer.toString(i), batch.get(i));
    }
    List<BatchResultErrorEntry> failed;
    try {
      if (kind == Kind.DELETE) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
        byId.forEach((id, op) -> entries.add(DeleteMessageBatchRequestEntry.builder()
            .id(id).receiptHandle(op.message.receiptHandle).build()));
        DeleteMessageBatchResponse r = client.deleteMessageBatch(b -> b.queueUrl(queueUrl)
            .entries(entries));
        deleted.add(r.successful().size());
        failed = r.failed();
      } else {
        ChangeMessageVisibilityBatchResponse r = changeVisibility(byId, 0);
        released.add(r.successful().size());
        failed = r.failed();
      }
    } catch (SdkException e) {
      LOG.warn("{}: {} of {} messages failed ({}); retrying", name,
          kind == Kind.DELETE ? "delete" : "release", batch.size(), e.toString());
      return batch;
    }
    List<Op> retry = new ArrayList<>();
    for (BatchResultErrorEntry error : failed) {
      Op op = byId.get(error.id());
      if (op == null) {
        continue;
      }
      if (Boolean.TRUE.equals(error.senderFault())) {
        lost.increment();
        LOG.warn("{}: SQS refused to {} message {} ({}: {}); it will be delivered again",
            name, kind == Kind.DELETE ? "delete" : "release", op.message.messageId,
            error.code(), error.message());
      } else {
        retry.add(op);
      }
    }
    return retry;
  }

  private ChangeMessageVisibilityBatchResponse changeVisibility(Map<String, Op> byId,
      int seconds) {
    List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(byId.size());
    byId.forEach((id, op) -> entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
        .id(id).receiptHandle(op.message.receiptHandle).visibilityTimeout(seconds).build()));
    return client.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
  }

  /** Extends, ten at a time, every message in progress for half its visibility or longer. */
  private void extendDue(long now) {
    List<Tracked> due = new ArrayList<>();
    for (Tracked t : inProgress) {
      if (t.settled.get() || now - t.visibleFrom < visibilityNanos / 2) {
        continue;
      }
      if (now - t.receivedNanos + visibilityNanos > maxExtensionNanos) {
        if (!t.ceilingReached) {
          t.ceilingReached = true;
          ceilingReached.increment();
          LOG.warn("{}: message {} has been in progress for {} s, near the ceiling of {} s: its"
              + " visibility is no longer extended and another consumer may receive it", name,
              t.messageId, TimeUnit.NANOSECONDS.toSeconds(now - t.receivedNanos),
              TimeUnit.NANOSECONDS.toSeconds(maxExtensionNanos));
        }
        continue;
      }
      due.add(t);
    }
    for (int from = 0; from < due.size(); from += BATCH) {
      List<Tracked> batch = due.subList(from, Math.min(due.size(), from + BATCH));
      Map<String, Op> byId = new HashMap<>();
      for (int i = 0; i < batch.size(); i++) {
        byId.put(Integer.toString(i), new Op(batch.get(i), Kind.RELEASE, now, 1));
      }
      try {
        ChangeMessageVisibilityBatchResponse r = changeVisibility(byId, visibilitySeconds);
        for (var ok : r.successful()) {
          byId.get(ok.id()).message.visibleFrom = now;
          extended.increment();
        }
        for (BatchResultErrorEntry error : r.failed()) {
          Tracked t = byId.get(error.id()).message;
          if (!t.settled.get()) {
            LOG.warn("{}: could not extend the visibility of message {} ({}: {})", name,
                t.messageId, error.code(), error.message());
          }
        }
      } catch (SdkException e) {
        LOG.warn("{}: extending the visibility of {} messages failed ({}); will try again",
            name, batch.size(), e.toString());
      }
    }
  }

  private void pause(int attempt) {
    try {
      Thread.sleep(BACKOFF.delay(attempt).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One received message between receipt and its delete or release: its acknowledger.
   * {@code ack} deletes it, {@code nack} releases it; either once, from any thread.
   */
  public final class Tracked implements Acknowledger {
    final String messageId;
    final String receiptHandle;
    final long receivedNanos;
    final AtomicBoolean settled = new AtomicBoolean();
    /** When its visibility was last set; written by the settle thread. */
    volatile long visibleFrom;
    /** Settle thread only. */
    boolean ceilingReached;

    Tracked(String messageId, String receiptHandle, long receivedNanos) {
      this.messageId = messageId;
      this.receiptHandle = receiptHandle;
      this.receivedNanos = receivedNanos;
      this.visibleFrom = receivedNanos;
    }

    @Override
    public void ack() {
      if (settled.compareAndSet(false, true)) {
        enqueue(this, Kind.DELETE);
      }
    }

    @Override
    public void nack(Throwable cause) {
      if (settled.compareAndSet(false, true)) {
        enqueue(this, Kind.RELEASE);
      }
    }

    @Override
    public String toString() {
      return "SQS message " + messageId;
    }
  }
}
