package dev.sluice.kafka.internal;

import dev.sluice.Acknowledger;
import dev.sluice.Message;
import dev.sluice.spi.EmitResult;
import dev.sluice.spi.SourceEmitter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that owns a {@link KafkaConsumer}: it polls, hands records on, pauses and resumes
 * partitions, commits completion watermarks and handles rebalances.
 *
 * <p><b>Concurrency.</b> The consumer is not thread-safe, so everything that touches it runs
 * on this loop's own thread, {@code sluice-kafka-CLIENTID}: polling, pausing, committing and
 * the rebalance callbacks (which the consumer runs inside {@code poll}). Other threads reach it
 * only through thread-safe structures: acks finish offsets in the partition's
 * {@link OffsetTracker}; {@link #stop()} sets a flag and calls {@code wakeup()}, the consumer's
 * one thread-safe method.
 *
 * <p><b>Backpressure.</b> Records go from {@code poll} into a local queue and on into the
 * core's {@link SourceEmitter}, whose buffer is bounded. When the emitter is full the loop parks
 * until it has room, calling {@code poll(0)} at least every 100 ms so the member stays in its
 * group however long a record takes: polling never stops. Once the local queue also holds a
 * buffer's worth ({@code bufferSize}) every owned partition is paused, so those polls fetch
 * nothing more: the records held here stay below {@code bufferSize} plus one poll's worth.
 *
 * <p><b>Commits.</b> Per partition, the watermark of its tracker: asynchronously every commit
 * interval, synchronously on revocation and at the end. With {@code skipFinished}, the finished
 * offsets above the watermark go into the commit metadata and a new owner skips them.
 *
 * <p><b>Rebalances.</b> On revocation the partitions' queued records are dropped, their
 * in-flight records get up to the revoke timeout to finish, and their watermarks are committed;
 * records still unfinished then are abandoned to the new owner (processed twice). On loss
 * (the member was fenced) nothing can be committed and everything is abandoned. Acks that
 * arrive later land in the old partition state and change nothing.
 *
 * <p><b>Lag.</b> Every 250 ms the loop publishes, per owned partition, the end offset minus
 * the next offset not yet handed on, from end offsets that {@link EndOffsets} fetches with an
 * admin client in the background (the consumer does not fetch a paused partition, so its own
 * lag would stand still). Readers on other threads see immutable snapshots.
 *
 * <p><b>Shutdown.</b> When the subscriber cancels or {@link #stop()} is called, the loop stops
 * handing records on, waits up to the close timeout for every delivered record to be acked or
 * nacked (polling meanwhile), commits, and closes the consumer.
 */
public final class ConsumerLoop implements Runnable, ConsumerRebalanceListener {

  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final byte[] EMPTY = new byte[0];

  private final SourceSettings settings;
  private SourceEmitter<byte[]> emitter;              // set by attach, before run
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final CompletableFuture<Void> assigned;
  private final AtomicLong settled = new AtomicLong();
  private final AtomicLong nacked = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();
  private final AtomicLong rebalances = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private volatile long totalLag = -1;
  private volatile Map<TopicPartition, Long> partitionLag = Map.of();
  private volatile Thread shutdownWaiter;
  private volatile Thread roomWaiter;
  private volatile boolean stopping;

  // Poll thread only.
  private final Map<TopicPartition, PartitionState> owned = new HashMap<>();
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> queued = new ArrayDeque<>();
  private boolean paused;
  private long handedOn;
  private long nextCommit;
  private long nextLag;
  private EndOffsets endOffsets;                     // created and closed by run()
  private PartitionState last;

  /** A loop for {@code emitter}'s subscriber; the consumer is created here, used in {@link #run}. */
  public ConsumerLoop(SourceSettings settings, CompletableFuture<Void> assigned) {
    this.settings = settings;
    this.assigned = assigned;
    this.consumer = new KafkaConsumer<>(settings.consumerProperties(),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The emitter this loop hands records to; call once, before {@link #run}. */
  public void attach(SourceEmitter<byte[]> emitter) {
    this.emitter = emitter;
  }

  /**
   * The emitter's subscriber wants more and the buffer has room: unparks the loop if it waits
   * for room. Any thread; never blocks (the emitter calls it from its drain loop).
   */
  public boolean wake() {
    Thread waiter = roomWaiter;
    if (waiter != null) {
      LockSupport.unpark(waiter);
    }
    return true;
  }

  /** Asks the loop to stop handing records on and shut down; any thread, idempotent. */
  public void stop() {
    if (!stopping) {
      stopping = true;
      consumer.wakeup();
    }
  }

  /** Waits until the loop has closed its consumer. */
  public boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
    return ended.await(timeout, unit);
  }

  /** Counters for stats: any thread. */
  public long received() { return received.get(); }
  public long skipped() { return skipped.get(); }
  public long abandoned() { return abandoned.get(); }
  public long nacked() { return nacked.get(); }
  public long rebalances() { return rebalances.get(); }
  public long commits() { return commits.get(); }

  /**
   * Records behind the end of the owned partitions and not yet handed to the emitter (fetched
   * ones waiting here included), summed; 0 when nothing is owned, -1 before the first
   * assignment or while an owned partition's end offset is not known yet. Any thread.
   */
  public long totalLag() { return totalLag; }

  /** {@link #totalLag} per owned partition whose end offset is known; any thread. */
  public Map<TopicPartition, Long> partitionLag() { return partitionLag; }

  /**
   * Records ready and not yet delivered to the subscriber: the lag plus the records in the
   * emitter's buffer, or -1 when the lag is not known. Any thread.
   */
  public long backlog() {
    long lag = totalLag;
    SourceEmitter<byte[]> e = emitter;
    return lag < 0 || e == null ? lag : lag + e.buffered();
  }

  @Override
  public void run() {
    Throwable failure = null;
    try {
      if (settings.pattern() != null) {
        consumer.subscribe(settings.pattern(), this);
      } else {
        consumer.subscribe(settings.topics(), this);
      }
      nextCommit = System.nanoTime() + settings.commitInterval().toNanos();
      endOffsets = new EndOffsets(settings.consumerProperties(), settings.clientId());
      while (!stopping && !emitter.isCancelled() && !limitReached()) {
        pollOnce();
      }
      // Limit reached or stop(): the stream ends once what was handed on is delivered, so the
      // pipeline drains and ends by itself. (After a cancel nobody listens any more.)
      emitter.complete();
      shutdown();
    } catch (Throwable t) {
      failure = t;
      LOG.error("{}: consumer failed: {}", settings.clientId(), t.toString());
    } finally {
      closeConsumer();
      if (failure != null) {
        assigned.completeExceptionally(failure);
        emitter.fail(failure);
      } else {
        assigned.completeExceptionally(new IllegalStateException("the source stopped before "
            + "it was assigned partitions"));
      }
      ended.countDown();
    }
  }

  private void pollOnce() {
    handOn();
    boolean full = !queued.isEmpty();
    // Pause only once a buffer's worth waits here: pausing whenever the emitter is full paused
    // and resumed the partitions every few hundred records on a fast pipeline, and each resume
    // waits a fetch round trip. Bounded still: at most this plus one poll's records.
    setPaused(queued.size() >= settings.bufferSize());
    maybeCommit();
    maybeSampleLag();
    ConsumerRecords<byte[], byte[]> records;
    try {
      if (full) {
        awaitRoom();
        handOn();
        records = consumer.poll(Duration.ZERO);
      } else {
        records = consumer.poll(POLL);
      }
    } catch (WakeupException e) {
      return;
    }
    if (!records.isEmpty()) {
      for (ConsumerRecord<byte[], byte[]> r : records) {
        queued.add(r);
      }
      received.addAndGet(records.count());
      handOn();
    }
  }

  /** Parks until the emitter asks for more (see {@link #wake}) or 100 ms pass. */
  private void awaitRoom() {
    roomWaiter = Thread.currentThread();
    try {
      if (emitter.buffered() >= emitter.capacity() && !emitter.isCancelled()) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
    } finally {
      roomWaiter = null;
    }
  }

  private boolean limitReached() {
    return settings.stopAfter() >= 0 && handedOn >= settings.stopAfter();
  }

  /** Moves queued records into the emitter while it has room. */
  private void handOn() {
    while (!queued.isEmpty() && !limitReached()) {
      ConsumerRecord<byte[], byte[]> r = queued.peek();
      PartitionState ps = stateOf(r);
      if (ps == null) {
        queued.poll();                          // revoked since it was fetched
        continue;
      }
      long offset = r.offset();
      if (ps.finishedBefore(offset)) {
        ps.tracker.start(offset);
        ps.tracker.finish(offset);
        skipped.incrementAndGet();
        ps.next = offset + 1;
        queued.poll();
        continue;
      }
      ps.tracker.start(offset);
      if (emitter.tryEmit(message(r, ps)) != EmitResult.OK) {
        ps.tracker.unstart(offset);       // FULL: kept here; CANCELLED/TERMINATED: the end
        return;
      }
      handedOn++;
      ps.next = offset + 1;
      queued.poll();
    }
  }

  private PartitionState stateOf(ConsumerRecord<byte[], byte[]> r) {
    PartitionState ps = last;
    if (ps != null && ps.partition.partition() == r.partition()
        && ps.partition.topic().equals(r.topic()) && owned.get(ps.partition) == ps) {
      return ps;
    }
    ps = owned.get(new TopicPartition(r.topic(), r.partition()));
    last = ps;
    return ps;
  }

  private Message<byte[]> message(ConsumerRecord<byte[], byte[]> r, PartitionState ps) {
    byte[] key = r.key();
    return Message.builder(r.value() == null ? EMPTY : r.value())
        .key(key == null ? null : new String(key, StandardCharsets.UTF_8))
        .topic(r.topic())
        .headersView(new RecordHeaders(r.headers(), r.partition(), r.offset(),
            r.timestamp()))
        .sequence(r.offset())
        .acknowledger(new RecordAck(ps.tracker, r.offset()))
        .build();
  }

  /** Reports one record's fate: finishes its offset on an ack; on a nack leaves it unfinished. */
  private final class RecordAck implements Acknowledger {
    private final OffsetTracker tracker;
    private final long offset;

    RecordAck(OffsetTracker tracker, long offset) {
      this.tracker = tracker;
      this.offset = offset;
    }

    @Override
    public void ack() {
      tracker.finish(offset);
      settle();
    }

    @Override
    public void nack(Throwable cause) {
      // Left unfinished: the watermark stays below it, so it is fetched again after a restart
      // or by the partition's next owner.
      nacked.incrementAndGet();
      settle();
    }

    private void settle() {
      settled.incrementAndGet();
      Thread waiter = shutdownWaiter;
      if (waiter != null) {
        LockSupport.unpark(waiter);
      }
    }
  }

  private void setPaused(boolean full) {
    if (full && !paused) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (!full && paused) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  private void maybeCommit() {
    long now = System.nanoTime();
    if (now - nextCommit < 0) {
      return;
    }
    nextCommit = now + settings.commitInterval().toNanos();
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}: owned {}, paused {}, queued {}, handed on {}, delivered {}, settled {}, "
          + "lag {}", settings.clientId(), owned.keySet(), paused, queued.size(), handedOn,
          emitter.delivered(), settled.get(), totalLag);
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = toCommit(owned.values());
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(offsets, (done, error) -> {
      if (error == null) {
        committed(done);
      } else {
        LOG.debug("{}: commit failed, will retry: {}", settings.clientId(), error.toString());
      }
    });
  }

  /**
   * Every 250 ms: publishes the lag from the end offsets known so far (end minus the next
   * offset not yet handed on, per owned partition) and asks for fresh ones in the background.
   */
  private void maybeSampleLag() {
    long now = System.nanoTime();
    if (now - nextLag < 0) {
      return;
    }
    nextLag = now + LAG_NANOS;
    Map<TopicPartition, Long> ends = endOffsets.latest();
    Map<TopicPartition, Long> lags = new HashMap<>();
    long total = 0;
    boolean known = true;
    for (PartitionState ps : owned.values()) {
      Long end = ends.get(ps.partition);
      if (end == null) {
        known = false;
      } else {
        long lag = Math.max(0, end - ps.next);
        lags.put(ps.partition, lag);
        total += lag;
      }
    }
    partitionLag = Map.copyOf(lags);
    totalLag = known && assigned.isDone() ? total : -1;
    endOffsets.refresh(owned.keySet());
  }

  private Map<TopicPartition, OffsetAndMetadata> toCommit(Collection<PartitionState> states) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionState ps : states) {
      long watermark = ps.tracker.watermark();
      String metadata = settings.skipFinished()
          ? OffsetMetadata.encode(watermark, ps.tracker.finishedAbove(),
              OffsetMetadata.DEFAULT_MAX_CHARS)
          : "";
      if (watermark != ps.committedOffset || !metadata.equals(ps.committedMetadata)) {
        offsets.put(ps.partition, new OffsetAndMetadata(watermark, metadata));
      }
    }
    return offsets;
  }

  private void committed(Map<TopicPartition, OffsetAndMetadata> done) {
    commits.incrementAndGet();
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : done.entrySet()) {
      PartitionState ps = owned.get(e.getKey());
      if (ps != null) {
        ps.committedOffset = e.getValue().offset();
        ps.committedMetadata = e.getValue().metadata();
      }
    }
  }

  private void commitSync(Collection<PartitionState> states) {
    Map<TopicPartition, OffsetAndMetadata> offsets = toCommit(states);
    if (offsets.isEmpty()) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        consumer.commitSync(offsets, settings.closeTimeout());
        commits.incrementAndGet();
        for (PartitionState ps : states) {
          OffsetAndMetadata c = offsets.get(ps.partition);
          if (c != null) {
            ps.committedOffset = c.offset();
            ps.committedMetadata = c.metadata();
          }
        }
        LOG.debug("{}: committed {}", settings.clientId(), offsets);
        return;
      } catch (WakeupException e) {
        if (attempt == 2) {
          throw e;
        }
      } catch (RuntimeException e) {
        LOG.warn("{}: could not commit {}: {}; these records will be delivered again",
            settings.clientId(), offsets.keySet(), e.toString());
        return;
      }
    }
  }

  // --- rebalances: called by the consumer inside poll(), on this loop's thread ---

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      assigned.complete(null);       // joined, with nothing (yet) to read
      return;
    }
    rebalances.incrementAndGet();
    Map<TopicPartition, OffsetAndMetadata> committed =
        consumer.committed(new HashSet<>(partitions), settings.closeTimeout());
    long skips = 0;
    for (TopicPartition tp : partitions) {
      long position = consumer.position(tp, settings.closeTimeout());
      OffsetAndMetadata c = committed.get(tp);
      long[] skip = settings.skipFinished() && c != null && c.offset() == position
          ? OffsetMetadata.decode(position, c.metadata()) : new long[0];
      skips += skip.length;
      owned.put(tp, new PartitionState(tp, position, skip, c == null ? -1 : c.offset(),
          c == null ? "" : c.metadata()));
    }
    if (paused) {
      consumer.pause(partitions);
    }
    assigned.complete(null);
    LOG.info("{}: assigned {} (now {} partitions{})", settings.clientId(), partitions,
        owned.size(), skips == 0 ? "" : ", " + skips + " records finished by the last owner");
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    List<PartitionState> leaving = leave(partitions);
    if (leaving.isEmpty()) {
      return;
    }
    rebalances.incrementAndGet();
    long deadline = System.nanoTime() + settings.revokeTimeout().toNanos();
    long left = 0;
    for (PartitionState ps : leaving) {
      try {
        if (!ps.tracker.awaitIdle(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
          left += ps.tracker.unfinished();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        left += ps.tracker.unfinished();
      }
    }
    if (left > 0) {
      abandoned.addAndGet(left);
      LOG.warn("{}: {} records of revoked partitions did not finish within {} ms; their next "
          + "owner processes them again", settings.clientId(), left,
          settings.revokeTimeout().toMillis());
    }
    commitSync(leaving);
    LOG.info("{}: revoked {} (now {} partitions)", settings.clientId(), partitions, owned.size());
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    List<PartitionState> lost = leave(partitions);
    long left = 0;
    for (PartitionState ps : lost) {
      left += ps.tracker.unfinished();
    }
    abandoned.addAndGet(left);
    if (!lost.isEmpty()) {
      rebalances.incrementAndGet();
      LOG.warn("{}: lost {} without a chance to commit; {} records in flight there will be "
          + "processed again by their next owner", settings.clientId(), partitions, left);
    }
  }

  private List<PartitionState> leave(Collection<TopicPartition> partitions) {
    List<PartitionState> leaving = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      PartitionState ps = owned.remove(tp);
      if (ps != null) {
        leaving.add(ps);
      }
    }
    if (!leaving.isEmpty()) {
      queued.removeIf(r -> !owned.containsKey(new TopicPartition(r.topic(), r.partition())));
      last = null;
    }
    return leaving;
  }

  // --- shutdown ---

  private void shutdown() {
    queued.clear();
    long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
    shutdownWaiter = Thread.currentThread();
    try {
      if (!owned.isEmpty()) {
        consumer.pause(consumer.assignment());
        paused = true;
      }
      while (settled.get() < toSettle() && System.nanoTime() - deadline < 0) {
        try {
          consumer.poll(Duration.ZERO);
        } catch (WakeupException e) {
          // the wake-up that stopped the loop; keep waiting
        }
        LockSupport.parkNanos(this, Math.min(PARK_NANOS, deadline - System.nanoTime()));
      }
    } finally {
      shutdownWaiter = null;
    }
    long unsettled = toSettle() - settled.get();
    if (unsettled > 0) {
      LOG.warn("{}: {} records were still in flight after {} ms; they will be delivered again",
          settings.clientId(), unsettled, settings.closeTimeout().toMillis());
    }
    commitSync(new ArrayList<>(owned.values()));
    owned.clear();                 // so that close()'s own revocation has nothing left to do
  }

  /** Records the subscriber has or will have: all handed on, unless it cancelled. */
  private long toSettle() {
    return emitter.isCancelled() ? emitter.delivered() : handedOn;
  }

  private void closeConsumer() {
    if (endOffsets != null) {
      try {
        endOffsets.close();
      } catch (RuntimeException e) {
        LOG.debug("{}: closing the admin client: {}", settings.clientId(), e.toString());
      }
    }
    try {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(
          settings.closeTimeout()));
    } catch (RuntimeException e) {
      LOG.debug("{}: closing the consumer: {}", settings.clientId(), e.toString());
    }
  }
}
