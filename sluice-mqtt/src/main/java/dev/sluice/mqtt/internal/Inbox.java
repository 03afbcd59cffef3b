package dev.sluice.mqtt.internal;

import dev.sluice.Acknowledger;
import dev.sluice.Message;
import dev.sluice.mqtt.PayloadTooLargeException;
import dev.sluice.spi.EmitResult;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.SourceBacklog;
import dev.sluice.spi.SourceEmitter;
import dev.sluice.spi.SourceOverflowException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What stands between one MQTT client and the one subscriber of an {@code MqttSource}: turns
 * each PUBLISH into a {@link Message} for a {@link SourceEmitter} (which owns the buffer, the
 * subscriber's demand and its signals), and keeps the ack window and the counts.
 *
 * <p><b>Backpressure.</b> A QoS 1/2 delivery is handed over with {@link SourceEmitter#emit}:
 * when the buffer is full the client's application thread waits for room, which holds back the
 * client's publish flow (Receive Maximum, where the broker honours it, keeps the backlog at the
 * broker before that). On a QoS 0 subscription the buffer is the QoS 0 buffer and its
 * {@link OverflowPolicy} decides ({@link SourceEmitter#tryEmit}; under BLOCK, {@code emit}). On a
 * QoS 1/2 subscription the odd QoS 0 delivery (from a publisher that sent at QoS 0) shares the
 * buffer and waits for room like the rest, so a drop policy never evicts a message that awaits
 * its PUBACK (the HiveMQ client acknowledges in order: one left out holds back every later one).
 *
 * <p><b>Rejects.</b> A payload over the limit is emitted {@linkplain Message#failed already
 * failed} with a {@link PayloadTooLargeException}, an empty payload and its size in a header: the
 * pipeline dead-letters it with attempts 0, counts it, and acks it once the dead letter is written.
 *
 * <p><b>Ending.</b> After {@code limit} messages are taken the stream completes (what the buffer
 * holds is still delivered; later arrivals stay unacknowledged for the next connection). Once it
 * is ending for any reason (that, a cancel, an overflow under FAIL, a failed connection) and
 * every message taken is settled, {@code onIdle} runs once: the source disconnects there, so the
 * acks go out first.
 *
 * <p><b>Threads.</b> {@link #offer} runs on the client's application thread
 * ({@code sluice-mqtt-CLIENTID-app}), one call at a time; the subscriber's {@code onNext} runs there or on the thread that requests (the
 * emitter's drain loop). Acks, {@link #fail}, {@link #close} and the statistics are safe from any
 * thread.
 */
public final class Inbox implements SourceBacklog {

  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.mqtt.MqttSource");

  /** Builds a message around an incoming publish; {@code acknowledger} settles it here. */
  public interface MessageFactory {
    Message<byte[]> create(Incoming incoming, long sequence, Acknowledger acknowledger);
  }

  private final String name;
  private final MessageFactory factory;
  private final boolean waitForRoom;       // every delivery waits: QoS 1/2 subscription, or BLOCK
  private final int maxPayloadBytes;
  private final String sizeHeader;
  private final long limit;
  private final Runnable onIdle;
  private final SourceEmitter<byte[]> emitter;
  private long sequence;                   // offer only
  private long taken;                      // offer only

  private final AtomicLong unsettled = new AtomicLong();   // taken, not yet acked or nacked
  private volatile boolean ending;
  private final AtomicBoolean idleRan = new AtomicBoolean();
  private final Map<Long, Long> window = new ConcurrentHashMap<>();       // sequence -> nanos

  private final LongAdder received = new LongAdder();
  private final LongAdder acked = new LongAdder();
  private final LongAdder nacked = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder rejected = new LongAdder();

  /**
   * Starts the emitter, which signals the subscriber's {@code onSubscribe} on this thread.
   *
   * @param subscription   the subscription's QoS: 0 makes {@code capacity} the QoS 0 buffer
   *                       under {@code policy}; 1 or 2 makes it the QoS 1/2 buffer (waits)
   * @param sizeHeader     the header a rejected message's original size goes in
   * @param limit          complete after this many messages are taken
   * @param onIdle         run once, when ending and every taken message is settled
   */
  public Inbox(String name, Flow.Subscriber<? super Message<byte[]>> subscriber,
      MessageFactory factory, int subscription, int capacity, OverflowPolicy policy,
      int maxPayloadBytes, String sizeHeader, long limit, Runnable onIdle) {
    this.name = name;
    this.factory = factory;
    OverflowPolicy effective = subscription == 0 ? policy : OverflowPolicy.BLOCK;
    this.waitForRoom = effective == OverflowPolicy.BLOCK;
    this.maxPayloadBytes = maxPayloadBytes;
    this.sizeHeader = sizeHeader;
    this.limit = limit;
    this.onIdle = onIdle;
    this.emitter = SourceEmitter.builder(subscriber).capacity(capacity).overflow(effective)
        .onCancel(cause -> end()).start();
  }

  /** Takes one publish from the client. Called on the client's thread, one call at a time. */
  public void offer(Incoming incoming) {
    received.increment();
    if (emitter.isTerminated()) {
      return;        // unacknowledged: the broker redelivers QoS 1/2 to the next connection
    }
    long seq = sequence++;
    boolean qos0 = incoming.qos() == 0;
    int size = incoming.payload().length;
    boolean tooLarge = size > maxPayloadBytes;
    Message<byte[]> message;
    if (tooLarge) {
      Map<String, String> properties = new java.util.HashMap<>(incoming.userProperties());
      properties.put(sizeHeader, Integer.toString(size));
      Incoming stripped = new Incoming(incoming.topic(), new byte[0], incoming.qos(),
          properties, incoming.acknowledge());
      message = factory.create(stripped, seq, new Settle(seq, incoming.acknowledge(), true))
          .withFailure(new PayloadTooLargeException(size, maxPayloadBytes));
    } else {
      message = factory.create(incoming, seq, new Settle(seq, incoming.acknowledge(), false));
    }
    if (!qos0) {
      window.put(seq, System.nanoTime());
    }
    unsettled.incrementAndGet();
    EmitResult result;
    try {
      result = waitForRoom || !qos0 ? emitter.emit(message) : emitter.tryEmit(message);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = EmitResult.CANCELLED;
    }
    switch (result) {
      case OK:
        if (tooLarge) {
          rejected.increment();
          LOG.warn("{}: dead-lettering a message on {}: payload of {} bytes exceeds the limit of "
              + "{} bytes", name, incoming.topic(), size, maxPayloadBytes);
        }
        if (++taken == limit) {
          emitter.complete();           // what is buffered is still delivered
          end();
        }
        break;
      case DROPPED:
      case OVERFLOWED:
        break;                          // the emitter nacked it: see Settle.nack
      default:
        // not taken (cancelled, ended): left unacknowledged for the next connection
        window.remove(seq);
        settled();
    }
  }

  /** Fails the subscriber (connection or subscription failure) once the buffer is delivered. */
  public void fail(Throwable cause) {
    emitter.fail(cause);
    end();
  }

  /** Completes the subscriber once the buffer is delivered; nothing more is taken. */
  public void close() {
    emitter.complete();
    end();
  }

  private void end() {
    ending = true;
    maybeIdle();
  }

  private void settled() {
    if (unsettled.decrementAndGet() == 0) {
      maybeIdle();
    }
  }

  private void maybeIdle() {
    if (ending && unsettled.get() == 0 && idleRan.compareAndSet(false, true)) {
      onIdle.run();
    }
  }

  /** Messages received and not yet taken by the subscriber: the source's backlog. */
  @Override
  public long backlog() {
    return emitter.buffered();
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

  public long rejected() { return rejected.sum(); }

  public int buffered() { return emitter.buffered(); }

  /** The acknowledger of one message; {@link Message} calls exactly one method, once. */
  private final class Settle implements Acknowledger {
    private final long seq;
    private final Runnable acknowledge;
    private final boolean reject;

    Settle(long seq, Runnable acknowledge, boolean reject) {
      this.seq = seq;
      this.acknowledge = acknowledge;
      this.reject = reject;
    }

    @Override
    public void ack() {
      acknowledge.run();
      window.remove(seq);
      if (!reject) {
        acked.increment();          // a reject's ack is counted in rejected
      }
      settled();
    }

    @Override
    public void nack(Throwable cause) {
      // Left unacknowledged on purpose: the broker redelivers it to this client id's next
      // connection. The HiveMQ client acknowledges in order, so later acks wait behind it.
      window.remove(seq);
      if (cause instanceof SourceOverflowException) {
        dropped.increment();
      } else {
        nacked.increment();
      }
      settled();
    }
  }
}
