package dev.sluice;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One event from a source: its payload, an optional key, where it came from, and the way
 * back to the source ({@link #ack()} / {@link #nack(Throwable)}).
 *
 * <p><b>Thread-safety.</b> Immutable but for its acknowledgement state. {@code ack()} and
 * {@code nack()} are idempotent and safe from any thread: the first call wins, later calls of
 * either kind do nothing and return {@code false}.
 *
 * @param <T> the payload type
 */
public final class Message<T> {

  private static final int PENDING = 0;
  private static final int ACKED = 1;
  private static final int NACKED = 2;
  private static final AtomicIntegerFieldUpdater<Message> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Message.class, "state");

  private final T payload;
  private final Object key;
  private final String topic;
  private final Map<String, String> headers;
  private final long sequence;
  private final Acknowledger acknowledger;
  private final Throwable failure;
  private volatile int state;

  private Message(T payload, Object key, String topic, Map<String, String> headers,
      long sequence, Acknowledger acknowledger, Throwable failure) {
    this.payload = Objects.requireNonNull(payload, "payload");
    this.key = key;
    this.topic = topic;
    this.headers = headers;
    this.sequence = sequence;
    this.acknowledger = acknowledger;
    this.failure = failure;
  }

  /** A message with no key, no metadata and no acknowledgement. */
  public static <T> Message<T> of(T payload) {
    return new Message<>(payload, null, null, Map.of(), -1, Acknowledger.NONE, null);
  }

  /** A message whose fate is reported to {@code acknowledger}. */
  public static <T> Message<T> of(T payload, Acknowledger acknowledger) {
    return new Message<>(payload, null, null, Map.of(), -1,
        Objects.requireNonNull(acknowledger, "acknowledger"), null);
  }

  /**
   * A message its source could not deliver as it was (larger than the source's limit, not
   * valid text): the pipeline dead-letters it with attempts 0 and {@code cause}, without
   * running the processor, and acknowledges it once the dead letter is written. The payload is
   * what the dead letter shows (a preview of an oversize message, say). Sources emit these
   * through {@link dev.sluice.spi.SourceEmitter} like any other message; use
   * {@link Builder#failure} to give one metadata too.
   */
  public static <T> Message<T> failed(T payload, Throwable cause) {
    return new Message<>(payload, null, null, Map.of(), -1, Acknowledger.NONE,
        Objects.requireNonNull(cause, "cause"));
  }

  /** Starts a message with metadata; see {@link Builder}. */
  public static <T> Builder<T> builder(T payload) {
    return new Builder<>(payload);
  }

  /** The payload; never null. */
  public T payload() { return payload; }

  /** The key that {@link Ordering#BY_KEY} groups by, or null when the source gave none. */
  public Object key() { return key; }

  /** The topic (MQTT), stream or file the message came from, or null. */
  public String topic() { return topic; }

  /** Protocol headers or MQTT user properties; an unmodifiable map, empty when none. */
  public Map<String, String> headers() { return headers; }

  /** The source's own sequence number (offset, packet id, line number), or -1 when none. */
  public long sequence() { return sequence; }

  /**
   * Reports that the message is done with. Returns true if this call acknowledged it,
   * false if it was already acknowledged or nacked.
   */
  public boolean ack() {
    if (STATE.compareAndSet(this, PENDING, ACKED)) {
      acknowledger.ack();
      return true;
    }
    return false;
  }

  /**
   * Reports that the message was given up unprocessed, so the source may redeliver it.
   * Returns true if this call settled it, false if it was already acknowledged or nacked.
   */
  public boolean nack(Throwable cause) {
    if (STATE.compareAndSet(this, PENDING, NACKED)) {
      acknowledger.nack(cause);
      return true;
    }
    return false;
  }

  /**
   * Why the source could not deliver this message as it was, or null for an ordinary message;
   * see {@link #failed(Object, Throwable)}.
   */
  public Throwable failure() { return failure; }

  /** True once {@link #ack()} has won. */
  public boolean isAcked() { return state == ACKED; }

  /** True once {@link #nack(Throwable)} has won. */
  public boolean isNacked() { return state == NACKED; }

  /** Returns a copy with the given payload and the same key, metadata and acknowledgement. */
  public <U> Message<U> withPayload(U newPayload) {
    return new Message<>(newPayload, key, topic, headers, sequence, acknowledger, failure);
  }

  /**
   * Returns a copy that already failed with {@code cause} (see {@link #failed}), with the same
   * payload, key, metadata and acknowledgement. Meant for a source, before it emits the
   * message: acknowledge through one of the two, never both.
   */
  public Message<T> withFailure(Throwable cause) {
    return new Message<>(payload, key, topic, headers, sequence, acknowledger,
        Objects.requireNonNull(cause, "cause"));
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Message[");
    if (topic != null) s.append("topic=").append(topic).append(", ");
    if (key != null) s.append("key=").append(key).append(", ");
    if (sequence >= 0) s.append("seq=").append(sequence).append(", ");
    s.append("payload=").append(payload);
    if (failure != null) s.append(", failed=").append(failure);
    return s.append(']').toString();
  }

  /**
   * Builds a {@link Message} with metadata. Not thread-safe: use it from one thread.
   *
   * @param <T> the payload type
   */
  public static final class Builder<T> {
    private final T payload;
    private Object key;
    private String topic;
    private Map<String, String> headers = Map.of();
    private long sequence = -1;
    private Acknowledger acknowledger = Acknowledger.NONE;
    private Throwable failure;

    private Builder(T payload) {
      this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** The key for {@link Ordering#BY_KEY}. */
    public Builder<T> key(Object key) { this.key = key; return this; }

    /** Where the message came from. */
    public Builder<T> topic(String topic) { this.topic = topic; return this; }

    /** Protocol headers; copied. */
    public Builder<T> headers(Map<String, String> headers) {
      this.headers = Map.copyOf(headers);
      return this;
    }

    /**
     * Protocol headers, kept as given, without the copy {@link #headers(Map)} makes: for a
     * source's hot path, with a map that computes its entries when first read (a view of a
     * record's headers, say). The caller promises that {@code headers} is unmodifiable, never
     * changes, and is safe to read from any thread.
     */
    public Builder<T> headersView(Map<String, String> headers) {
      this.headers = Objects.requireNonNull(headers, "headers");
      return this;
    }

    /** The source's own sequence number; must be >= 0. */
    public Builder<T> sequence(long sequence) {
      if (sequence < 0) {
        throw new IllegalArgumentException("sequence must be >= 0 but was " + sequence);
      }
      this.sequence = sequence;
      return this;
    }

    /** Where {@link Message#ack()} and {@link Message#nack(Throwable)} report. */
    public Builder<T> acknowledger(Acknowledger acknowledger) {
      this.acknowledger = Objects.requireNonNull(acknowledger, "acknowledger");
      return this;
    }

    /**
     * Makes it a message that already failed: the pipeline dead-letters it with attempts 0 and
     * {@code cause}; see {@link Message#failed(Object, Throwable)}.
     */
    public Builder<T> failure(Throwable cause) {
      this.failure = Objects.requireNonNull(cause, "cause");
      return this;
    }

    public Message<T> build() {
      return new Message<>(payload, key, topic, headers, sequence, acknowledger, failure);
    }
  }
}
