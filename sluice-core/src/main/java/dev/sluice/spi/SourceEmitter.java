package dev.sluice.spi;

import dev.sluice.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The one bounded emitter every Sluice source is built on: it is the {@link Flow.Subscription}
 * of one subscriber, owns that subscriber's demand, a buffer of at most {@code capacity}
 * messages with its {@link OverflowPolicy}, the drain loop that signals the subscriber, the
 * Reactive Streams rules (3.9 bad requests, serial signals, nothing after a terminal signal)
 * and the terminal signals themselves. A connector only reads its protocol and hands each
 * message to {@link #tryEmit} (or {@link #emit}), then calls {@link #complete} or
 * {@link #fail} when its stream ends.
 *
 * <pre>{@code
 * public void subscribe(Flow.Subscriber<? super Message<String>> subscriber) {
 *   SourceEmitter<String> emitter = SourceEmitter.builder(subscriber)
 *       .capacity(256)
 *       .overflow(OverflowPolicy.BLOCK)
 *       .onRequest(n -> connection.read(n))        // only for sources that read on demand
 *       .onCancel(cause -> connection.close())
 *       .start();                                   // calls subscriber.onSubscribe(emitter)
 *   connection.onMessage(text -> emitter.tryEmit(Message.of(text)));
 *   connection.onEnd(error -> { if (error == null) emitter.complete(); else emitter.fail(error); });
 * }
 * }</pre>
 *
 * <p><b>Two kinds of source.</b> A source that <em>reads on demand</em> (a socket it can stop
 * reading, a file, a consumer it can pause) gives {@link Builder#onRequest}: the emitter asks
 * it for exactly as many messages as the subscriber wants and the buffer has room for, so under
 * {@link OverflowPolicy#BLOCK} the buffer never overflows and the backlog stays upstream. A
 * source that is <em>pushed</em> to (MQTT QoS 0, a broadcast feed) gives no {@code onRequest}:
 * it emits as messages come and the overflow policy decides when the buffer is full.
 *
 * <p><b>Messages that already failed.</b> A message the source could not deliver as it was
 * (larger than its limit, not valid UTF-8) is emitted like any other, built with
 * {@link Message#failed} or {@link Message.Builder#failure} (or through
 * {@link #tryEmitFailed}): it takes one unit of demand, and the pipeline dead-letters it with
 * attempts 0 without running the processor, acknowledges it once the dead letter is written
 * and counts it in {@code Stats.deadLettered()}. A source never writes dead letters itself.
 *
 * <p><b>Threads.</b> Thread-safe.
 * <ul>
 *   <li>{@link #tryEmit}, {@link #emit}, {@link #complete}, {@link #fail},
 *       {@link #upstreamReset} and {@link #upstreamReady} may be called from any thread (the source's I/O thread,
 *       typically). Calls from several threads at once are safe, but then the messages' order
 *       between those threads is undefined: a source that keeps order emits from one thread at
 *       a time, as rule 1.3 asks of {@code onNext}.</li>
 *   <li>{@link #request} and {@link #cancel} come from the subscriber, on any thread,
 *       re-entrantly from inside {@code onNext} included.</li>
 *   <li>Signals to the subscriber ({@code onSubscribe}, {@code onNext}, {@code onError},
 *       {@code onComplete}) are made by whichever thread runs the drain loop: the thread that
 *       called {@link Builder#start}, an emitting thread or a requesting thread. They never
 *       overlap, each happens-before the next, and none is made under a lock.</li>
 *   <li>{@link Builder#onRequest} is called from the drain loop too: serially, never under a
 *       lock, and it may emit re-entrantly (the emit is then delivered by the same loop).</li>
 *   <li>{@link Builder#onCancel} is called once, on the thread that cancelled (the
 *       subscriber's, or an emitting thread for an overflow under FAIL).</li>
 * </ul>
 * Everything a producer did before {@code tryEmit} returned happens-before the subscriber's
 * {@code onNext} of that message.
 *
 * <p><b>Bound.</b> At most {@code capacity} messages are buffered; a source that reads on
 * demand has at most {@code min(demand, capacity)} buffered or asked for.
 *
 * <p><b>Shutdown.</b> {@link #complete} and {@link #fail} end the stream after the buffered
 * messages are delivered (when the subscriber asks for them). A cancel, a bad request (rule
 * 3.9) or an overflow under FAIL ends it at once: the buffered messages are nacked (left for
 * redelivery, for a source with acknowledgement) and {@code onCancel} tells the source to stop.
 *
 * @param <T> the payload type
 */
public final class SourceEmitter<T> implements Flow.Subscription {

  /** Reads a source that reads on demand: see {@link Builder#onRequest}. */
  @FunctionalInterface
  public interface Upstream {
    /**
     * Reads (or asks the transport for) {@code n} more messages, each of which the source
     * then emits. Returns false if there is nothing to ask now (between two connections): the
     * emitter then asks again after {@link SourceEmitter#upstreamReady()}. Called from the
     * drain loop, never under a lock; must not block.
     */
    boolean request(long n);
  }

  /** Null once the stream has ended, so that a cancelled subscriber can be collected (3.13). */
  private volatile Flow.Subscriber<? super Message<T>> subscriber;
  private final int capacity;
  private final OverflowPolicy policy;
  private final Upstream upstream;
  private final Consumer<? super Throwable> onCancel;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Message<T>> buffer = new ArrayDeque<>();   // guarded by lock
  /** Messages taken from the buffer for one pass of the drain: touched only inside it. */
  @SuppressWarnings("unchecked")
  private final Message<T>[] batch = (Message<T>[]) new Message<?>[64];
  private int waiters;                      // guarded by lock: threads waiting in emit()
  private int bufferedPeak;                 // guarded by lock
  private volatile int buffered;            // written under lock: buffer.size()

  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicLong outstanding = new AtomicLong();  // asked of upstream, not emitted
  private final AtomicLong delivered = new AtomicLong();    // written by the drain loop only
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean cancelCalled = new AtomicBoolean();
  /** Set once: ends the stream at once (cancel, rule 3.9, overflow under FAIL). */
  private final AtomicReference<Throwable> abort = new AtomicReference<>();
  /** Set once by complete()/fail(): ends the stream after the buffer. */
  private final AtomicReference<Throwable> end = new AtomicReference<>();
  private volatile boolean started;
  private boolean done;                     // drain loop only: a terminal signal was made

  /** Marks a normal completion in {@link #end}. */
  private static final Throwable COMPLETED = new Throwable("completed", null, false, false) { };

  private SourceEmitter(Builder<T> b) {
    this.subscriber = b.subscriber;
    this.capacity = b.capacity;
    this.policy = b.policy;
    this.upstream = b.upstream;
    this.onCancel = b.onCancel;
  }

  /** Starts an emitter for {@code subscriber}; see {@link Builder}. */
  public static <T> Builder<T> builder(Flow.Subscriber<? super Message<T>> subscriber) {
    return new Builder<>(subscriber);
  }

  /**
   * Refuses a subscriber (rule 1.9: after an {@code onSubscribe}), for a source that accepts
   * one subscription only: signals {@code onSubscribe} with a subscription that does nothing,
   * then {@code onError(cause)}.
   */
  public static void refuse(Flow.Subscriber<?> subscriber, Throwable cause) {
    Objects.requireNonNull(subscriber, "subscriber");
    Objects.requireNonNull(cause, "cause");
    subscriber.onSubscribe(new Flow.Subscription() {
      @Override public void request(long n) { }
      @Override public void cancel() { }
    });
    subscriber.onError(cause);
  }

  // ---- the producer's side ----

  /**
   * Hands over one message without blocking: delivers it at once if the subscriber has asked
   * and nothing is buffered, else buffers it, applying the {@link OverflowPolicy} when the
   * buffer is full. See {@link EmitResult} for who owns the message afterwards.
   */
  public EmitResult tryEmit(Message<T> message) {
    try {
      return offer(message, false);
    } catch (InterruptedException e) {
      throw new AssertionError("tryEmit does not wait", e);
    }
  }

  /**
   * Like {@link #tryEmit}, but where the buffer is full it waits for room whatever the policy,
   * so it never answers {@link EmitResult#FULL} nor drops anything: for messages that must not
   * be dropped (an MQTT QoS 1 message, whose number the broker bounds anyway) and for sources
   * whose thread may block. Must not be called from the subscriber's {@code onNext} or
   * {@code request}, whose return it would wait for.
   *
   * @throws InterruptedException if interrupted while waiting; the message was not taken
   */
  public EmitResult emit(Message<T> message) throws InterruptedException {
    return offer(message, true);
  }

  /**
   * Emits a message that already failed (see the class comment): {@code message} with
   * {@code cause} as its {@link Message#failure()}, dead-lettered by the pipeline with attempts
   * 0. The payload is what the dead letter should show: a preview of an oversize message, the
   * raw text of a malformed one.
   */
  public EmitResult tryEmitFailed(Message<T> message, Throwable cause) {
    return tryEmit(message.withFailure(cause));
  }

  /**
   * Ends the stream normally once the buffered messages are delivered. Returns false (and does
   * nothing) if the stream was already ending or ended.
   */
  public boolean complete() {
    return end(COMPLETED);
  }

  /**
   * Fails the stream with {@code cause} once the buffered messages are delivered. Returns false
   * (and does nothing) if the stream was already ending or ended.
   */
  public boolean fail(Throwable cause) {
    return end(Objects.requireNonNull(cause, "cause"));
  }

  private boolean end(Throwable how) {
    if (!end.compareAndSet(null, how)) {
      return false;
    }
    drain();
    return true;
  }

  /**
   * For a source that reads on demand: the upstream (a connection) was lost or replaced, so
   * nothing asked of it counts any more. Call it before a new connection is reachable from
   * {@link Upstream#request}, then {@link #upstreamReady()} once it is: in that order nothing
   * is asked twice, nor forgotten.
   */
  public void upstreamReset() {
    outstanding.set(0);
  }

  /**
   * For a source that reads on demand: the upstream can be asked now (a connection opened):
   * the emitter asks it for what the subscriber wants. Harmless at any time.
   */
  public void upstreamReady() {
    drain();
  }

  // ---- the subscription ----

  @Override
  public void request(long n) {
    if (n <= 0) {
      abort(new IllegalArgumentException(
          "rule 3.9: request must be positive but was " + n));
      return;
    }
    long r;
    long next;
    do {
      r = requested.get();
      next = r + n < 0 ? Long.MAX_VALUE : r + n;
    } while (!requested.compareAndSet(r, next));
    drain();
  }

  @Override
  public void cancel() {
    abort(new CancellationException("the subscriber cancelled"));
  }

  // ---- what the source may ask ----

  /** Messages buffered now, taken and not yet delivered. */
  public int buffered() {
    return buffered;
  }

  /** The most messages ever buffered at once; never more than {@link #capacity()}. */
  public int bufferedPeak() {
    lock.lock();
    try {
      return bufferedPeak;
    } finally {
      lock.unlock();
    }
  }

  /** The buffer's capacity in messages. */
  public int capacity() {
    return capacity;
  }

  /** Messages the subscriber has asked for and not yet received. */
  public long requested() {
    return requested.get();
  }

  /** Messages delivered to the subscriber so far. */
  public long delivered() {
    return delivered.get();
  }

  /** Messages taken and then discarded (and nacked): overflow, cancel, a failed stream. */
  public long dropped() {
    return dropped.get();
  }

  /** True once the subscriber cancelled (or broke rule 3.9). */
  public boolean isCancelled() {
    return abort.get() instanceof CancellationException
        || abort.get() instanceof IllegalArgumentException;
  }

  /** True once the stream is ending or ended, for whatever reason: emits are no longer taken. */
  public boolean isTerminated() {
    return abort.get() != null || end.get() != null;
  }

  // ---- inside ----

  private EmitResult offer(Message<T> message, boolean wait) throws InterruptedException {
    Objects.requireNonNull(message, "message");
    EmitResult closed = closedResult();
    if (closed != null) {
      arrived();
      return closed;
    }
    if (started && buffered == 0 && requested.get() > 0 && wip.compareAndSet(0, 1)) {
      // fast path: no one else drains while we hold wip, so the demand we see is ours
      long r = requested.get();
      Flow.Subscriber<? super Message<T>> s = subscriber;
      if (!done && buffered == 0 && r > 0 && abort.get() == null && s != null) {
        if (r != Long.MAX_VALUE) {
          requested.decrementAndGet();
        }
        arrived();
        delivered.lazySet(delivered.get() + 1);
        s.onNext(message);
        drainLoop(1);
        return EmitResult.OK;
      }
      drainLoop(1);
    }
    EmitResult result = enqueue(message, wait);
    if (result != EmitResult.FULL) {
      arrived();          // after the buffer counts it: see askUpstream
    }
    drain();
    return result;
  }

  /** One message asked of upstream has arrived (taken or not). */
  private void arrived() {
    if (upstream != null) {
      long o;
      while ((o = outstanding.get()) > 0 && !outstanding.compareAndSet(o, o - 1)) {
        // a concurrent emit or reset: read again
      }
    }
  }

  private EmitResult closedResult() {
    Throwable aborted = abort.get();
    if (aborted != null) {
      return aborted instanceof SourceOverflowException ? EmitResult.TERMINATED
          : EmitResult.CANCELLED;
    }
    return end.get() != null ? EmitResult.TERMINATED : null;
  }

  private EmitResult enqueue(Message<T> message, boolean wait) throws InterruptedException {
    Message<T> evicted = null;
    lock.lock();
    try {
      while (buffer.size() >= capacity) {
        EmitResult closed = closedResult();
        if (closed != null) {
          return closed;
        }
        if (wait || policy == OverflowPolicy.BLOCK) {
          if (!wait) {
            return EmitResult.FULL;
          }
          waiters++;
          try {
            notFull.await();
          } finally {
            waiters--;
          }
          continue;
        }
        if (policy == OverflowPolicy.DROP_NEWEST) {
          evicted = message;
          message = null;
        } else if (policy == OverflowPolicy.DROP_OLDEST) {
          evicted = buffer.poll();
        } else {
          evicted = message;
          message = null;
        }
        break;
      }
      EmitResult closed = closedResult();
      if (closed != null) {
        return closed;
      }
      if (message != null) {
        buffer.add(message);
        buffered = buffer.size();
        bufferedPeak = Math.max(bufferedPeak, buffered);
      }
    } finally {
      lock.unlock();
    }
    if (evicted == null) {
      return EmitResult.OK;
    }
    if (policy == OverflowPolicy.FAIL) {
      SourceOverflowException overflow = new SourceOverflowException("the source sent faster "
          + "than the pipeline took, and the buffer of " + capacity + " messages overflowed "
          + "(OverflowPolicy.FAIL)", capacity);
      discard(evicted, overflow);
      abort(overflow);
      return EmitResult.OVERFLOWED;
    }
    discard(evicted, new SourceOverflowException("discarded: the source's buffer of " + capacity
        + " messages was full (OverflowPolicy." + policy + ")", capacity));
    return message == null ? EmitResult.DROPPED : EmitResult.OK;
  }

  private void discard(Message<T> message, Throwable cause) {
    dropped.incrementAndGet();
    message.nack(cause);
  }

  /** Ends the stream at once with {@code cause} (first caller wins) and stops the source. */
  private void abort(Throwable cause) {
    if (abort.compareAndSet(null, cause)) {
      lock.lock();
      try {
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
      if (onCancel != null && cancelCalled.compareAndSet(false, true)) {
        onCancel.accept(cause);
      }
    }
    drain();
  }

  private void drain() {
    if (wip.getAndIncrement() == 0) {
      drainLoop(1);
    }
  }

  private void drainLoop(int missed) {
    for (;;) {
      if (started) {
        deliver();
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  /** One pass of the drain: delivers what it can, ends the stream when due, asks upstream. */
  private void deliver() {
    Flow.Subscriber<? super Message<T>> s = subscriber;
    for (;;) {
      Throwable aborted = abort.get();
      if (done || aborted != null) {
        discardBuffer(aborted != null ? aborted
            : new CancellationException("the stream has ended"));
        if (!done) {
          done = true;
          subscriber = null;
          if (!(aborted instanceof CancellationException)) {
            s.onError(aborted);
          }
        }
        return;
      }
      long r = requested.get();
      if (r > 0 && buffered > 0) {
        int n = pollBatch((int) Math.min(r, batch.length));
        for (int i = 0; i < n; i++) {
          if (i > 0 && abort.get() != null) {
            // cancelled from onNext: the rest go back, in order, for the pass above to discard
            putBack(i, n);
            break;
          }
          Message<T> next = batch[i];
          batch[i] = null;
          if (r != Long.MAX_VALUE) {
            requested.decrementAndGet();
          }
          delivered.lazySet(delivered.get() + 1);
          s.onNext(next);
        }
        continue;
      }
      Throwable ended = end.get();
      if (ended != null && buffered == 0) {
        done = true;
        subscriber = null;
        if (ended == COMPLETED) {
          s.onComplete();
        } else {
          s.onError(ended);
        }
        return;
      }
      if (upstream != null && ended == null) {
        askUpstream(r);
      }
      return;
    }
  }

  /**
   * Takes up to {@code max} buffered messages into {@link #batch} under one lock: a source
   * thread emitting while a worker's request drains met on this lock once per message, each
   * meeting a park and an unpark.
   */
  private int pollBatch(int max) {
    lock.lock();
    try {
      int n = 0;
      Message<T> next;
      while (n < max && (next = buffer.poll()) != null) {
        batch[n++] = next;
      }
      buffered = buffer.size();
      if (waiters > 0) {
        notFull.signalAll();
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Returns {@code batch[from..to)} to the head of the buffer, in order. */
  private void putBack(int from, int to) {
    lock.lock();
    try {
      for (int i = to - 1; i >= from; i--) {
        buffer.addFirst(batch[i]);
        batch[i] = null;
      }
      buffered = buffer.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Asks upstream for what the subscriber wants and the buffer has room for, less what is
   * asked already: in batches of a quarter of that, unless nothing is coming at all.
   */
  private void askUpstream(long r) {
    long limit = Math.min(r, capacity);
    // Read outstanding before buffered: an emit counts itself in buffered before it leaves
    // outstanding, so this order never sees it in neither (which would ask for one too many).
    long out = outstanding.get();
    int inBuffer = buffered;
    long want = limit - inBuffer - out;
    if (want <= 0 || (want < Math.max(1, limit / 4) && out + inBuffer > 0)) {
      return;
    }
    outstanding.addAndGet(want);
    boolean asked;
    try {
      asked = upstream.request(want);
    } catch (RuntimeException e) {
      outstanding.addAndGet(-want);
      abort(e);
      return;
    }
    if (!asked) {
      outstanding.addAndGet(-want);
    }
  }

  private void discardBuffer(Throwable cause) {
    if (buffered == 0) {
      return;
    }
    List<Message<T>> discarded;
    lock.lock();
    try {
      discarded = new ArrayList<>(buffer);
      buffer.clear();
      buffered = 0;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
    for (Message<T> m : discarded) {
      discard(m, cause);
    }
  }

  /**
   * Configures a {@link SourceEmitter}; {@link #start()} checks it, makes the emitter and
   * signals {@code onSubscribe}. Not thread-safe: use it from one thread.
   *
   * @param <T> the payload type
   */
  public static final class Builder<T> {
    private final Flow.Subscriber<? super Message<T>> subscriber;
    private int capacity = 256;
    private OverflowPolicy policy = OverflowPolicy.BLOCK;
    private Upstream upstream;
    private Consumer<? super Throwable> onCancel;

    private Builder(Flow.Subscriber<? super Message<T>> subscriber) {
      this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
    }

    /** The most messages buffered between the source and the subscriber (default 256). */
    public Builder<T> capacity(int messages) {
      this.capacity = messages;
      return this;
    }

    /** What to do when the buffer is full (default {@link OverflowPolicy#BLOCK}). */
    public Builder<T> overflow(OverflowPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Makes this a source that reads on demand: the emitter calls {@code upstream} for more
     * whenever the subscriber wants more than is buffered and asked for, and the source emits
     * no more than it was asked for (pre-failed messages included; after an
     * {@link SourceEmitter#upstreamReset()}, only what it is asked for again). A source that
     * is read by a thread of its own counts the asks as permits and reads while it has some.
     */
    public Builder<T> onRequest(Upstream upstream) {
      this.upstream = Objects.requireNonNull(upstream, "upstream");
      return this;
    }

    /**
     * Called once when the stream ends for a reason the source did not choose, so that it
     * stops reading and releases its connection: the subscriber cancelled (the cause is a
     * {@link CancellationException}), broke rule 3.9 (an {@link IllegalArgumentException}), or
     * the buffer overflowed under FAIL (a {@link SourceOverflowException}). Runs on the thread
     * that cancelled; must not block.
     */
    public Builder<T> onCancel(Consumer<? super Throwable> onCancel) {
      this.onCancel = Objects.requireNonNull(onCancel, "onCancel");
      return this;
    }

    /**
     * Makes the emitter and signals the subscriber's {@code onSubscribe} on this thread; the
     * subscriber may request (and the source may emit) from then on. Messages emitted before
     * it returns are buffered.
     *
     * @throws IllegalArgumentException if the capacity is below 1
     */
    public SourceEmitter<T> start() {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be >= 1 but was " + capacity);
      }
      SourceEmitter<T> emitter = new SourceEmitter<>(this);
      subscriber.onSubscribe(emitter);      // before started: nothing else signals meanwhile
      emitter.started = true;
      emitter.drain();
      return emitter;
    }
  }
}
