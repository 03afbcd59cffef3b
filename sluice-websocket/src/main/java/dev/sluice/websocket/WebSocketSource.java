package dev.sluice.websocket;

import dev.sluice.Message;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.SourceBacklog;
import dev.sluice.spi.SourceConnection;
import dev.sluice.spi.SourceEmitter;
import dev.sluice.websocket.internal.SourceConfig;
import dev.sluice.websocket.internal.SourceSession;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A WebSocket feed as a source: each complete text or binary message is one
 * {@link Message Message&lt;String&gt;}, read with the JDK's {@code java.net.http.WebSocket}.
 *
 * <pre>{@code
 * WebSocketSource source = WebSocketSource.builder("wss://feed.example.com/v1")
 *     .headerFromEnv("Authorization", "FEED_TOKEN")
 *     .subscribeMessage("{\"op\":\"subscribe\",\"channel\":\"trades\"}")
 *     .build();
 * Pipeline pipeline = Sluice.from(source).workers(4).process(Trade::parse).to(sink).start();
 * }</pre>
 *
 * <p><b>One connection.</b> A source is one connection, made when the pipeline subscribes;
 * it may be subscribed once (a second subscriber gets an {@link IllegalStateException}).
 *
 * <p><b>Backpressure.</b> Built on the core's {@link SourceEmitter}. Under
 * {@link OverflowPolicy#BLOCK} (the default) the source reads from the socket only as many
 * messages as its subscriber has requested (a pipeline requests up to its
 * {@code maxInFlight}), capped at {@code bufferSize}: a fast server is slowed by TCP.
 * WebSocket has no acknowledgement and no flow control of its own, so stopping reading is the
 * only way to slow a server; one that will not slow down (a broadcast feed that writes to
 * every client at its own pace) then queues messages for us in its send buffer until it gives
 * up on us: most close the connection (often with 1008 or 1011, or an idle or write timeout)
 * or silently discard what we could not take. The source reports the close code and
 * reconnects, and whatever the server discarded is lost without our knowing. If losing
 * messages is better than losing the connection, pick {@link OverflowPolicy#DROP_NEWEST},
 * {@link OverflowPolicy#DROP_OLDEST} or {@link OverflowPolicy#FAIL}: they read everything as
 * fast as it arrives into the buffer of {@code bufferSize} messages and decide there, counting
 * each loss in {@link WebSocketStats#dropped()}. Whatever the policy, the source holds at most
 * {@code bufferSize} complete messages plus the one being reassembled (at most
 * {@code maxMessageSize} bytes): never an unbounded buffer.
 *
 * <p><b>Messages.</b> Fragments are reassembled. {@link Message#topic()} is the URI without
 * its query, {@link Message#sequence()} counts from 1 across reconnects, and the header
 * {@code websocket.type} is {@code text} or {@code binary}; binary messages become strings
 * by {@link BinaryMode}. WebSocket has no acknowledgement: acks and nacks do nothing.
 *
 * <p><b>Dead letters.</b> A message larger than {@code maxMessageSize}, or a binary message
 * that is not UTF-8 under {@link BinaryMode#UTF8}, is never processed: the source hands it to
 * the pipeline as already failed ({@link Message#failure()}: a
 * {@link MessageTooLargeException} or {@link MalformedMessageException}; payload the
 * message's first 256 characters, or its first bytes in Base64), and the pipeline writes it to
 * its dead-letter sink with attempts 0 and counts it in {@code Stats.deadLettered()}. It is
 * logged at WARN. The connection is kept.
 *
 * <p><b>Connection.</b> Pings are answered with pongs by the JDK client. After a close or an
 * error the source reconnects with exponential backoff (with jitter) and sends the subscribe
 * message again; messages the server sent while we were away are lost. Close codes, reasons
 * and errors are logged (logger {@code dev.sluice.websocket.WebSocketSource}) and kept in
 * {@link #stats()}. Header values and the URI's query are never logged.
 *
 * <p><b>Ending.</b> The stream completes after {@link #close()}, or when the server closes
 * with 1000 and no reconnect is left; it fails when the connection is lost for good
 * (another close code, or out of reconnect attempts) or the buffer overflows under
 * {@link OverflowPolicy#FAIL}. Buffered messages are delivered before a completion or a lost
 * connection is signalled.
 *
 * <p><b>Threads.</b> Thread-safe. Signals come one at a time, from the JDK client's threads,
 * from the thread that called {@code request} or {@code close}, or from the reconnect timer
 * (the common {@link java.util.concurrent.ForkJoinPool}); each happens-before the next. The
 * client's threads are daemons;
 * Java 17's {@code HttpClient} cannot be closed, so they end once it is idle and unreachable.
 */
public final class WebSocketSource implements Flow.Publisher<Message<String>>, SourceConnection,
    SourceBacklog, AutoCloseable {

  private final SourceConfig config;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final AtomicReference<SourceSession> session = new AtomicReference<>();
  private volatile boolean closed;

  private WebSocketSource(SourceConfig config) {
    this.config = config;
  }

  /** Starts a source for {@code uri} ({@code ws://} or {@code wss://}). */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /** Starts a source for {@code uri} ({@code ws://} or {@code wss://}). */
  public static Builder builder(String uri) {
    return new Builder(URI.create(Objects.requireNonNull(uri, "uri")));
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<String>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    if (!subscribed.compareAndSet(false, true)) {
      SourceEmitter.refuse(subscriber, new IllegalStateException(
          "a WebSocketSource is one connection: it can be subscribed once"));
      return;
    }
    SourceSession fresh = new SourceSession(config, subscriber);   // signals onSubscribe
    session.set(fresh);
    if (closed) {
      fresh.close();
    } else {
      fresh.start();
    }
  }

  /** Where the connection stands; {@link ConnectionState#IDLE} before the subscription. */
  @Override
  public ConnectionState state() {
    SourceSession s = session.get();
    return s == null ? (closed ? ConnectionState.CLOSED : ConnectionState.IDLE) : s.state();
  }

  /**
   * Messages read from the socket and not yet delivered (its receive buffer), for the capacity
   * model's offered load; -1 before the subscription. Any thread.
   */
  @Override
  public long backlog() {
    SourceSession s = session.get();
    return s == null ? -1 : s.buffered();
  }

  /** A snapshot of the counters; all zero before the subscription. */
  public WebSocketStats stats() {
    SourceSession s = session.get();
    return s != null ? s.stats() : new WebSocketStats(state(), 0, 0, 0, 0, 0, 0, 0, -1, "", null);
  }

  /**
   * Stops reading and closes the connection (1000), then completes the stream once the
   * buffered messages are delivered. Idempotent; safe from any thread.
   */
  @Override
  public void close() {
    closed = true;
    SourceSession s = session.get();
    if (s != null) {
      s.close();
    }
  }

  @Override
  public String toString() {
    return "WebSocketSource[" + config.endpoint().displayName() + ", " + state() + "]";
  }

  /**
   * Configures a {@link WebSocketSource}; checked, and secrets read, in {@link #build()}.
   * Not thread-safe.
   */
  public static final class Builder extends ConnectionBuilder<Builder> {
    private int maxMessageSize = 1 << 20;
    private int bufferSize = 256;
    private OverflowPolicy overflow = OverflowPolicy.BLOCK;
    private BinaryMode binaryMode = BinaryMode.UTF8;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private int maxReconnectAttempts = Integer.MAX_VALUE;

    private Builder(URI uri) {
      super(uri);
    }

    /**
     * The largest message accepted, in bytes (UTF-8 bytes for text; default 1 MiB). Larger
     * ones go to the pipeline's dead letters and the connection is kept.
     */
    public Builder maxMessageSize(int bytes) {
      this.maxMessageSize = bytes;
      return this;
    }

    /** The most complete messages held between the socket and the subscriber (default 256). */
    public Builder bufferSize(int messages) {
      this.bufferSize = messages;
      return this;
    }

    /** What to do when the server outpaces the pipeline (default {@link OverflowPolicy#BLOCK}). */
    public Builder overflow(OverflowPolicy policy) {
      this.overflow = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** How binary messages become strings (default {@link BinaryMode#UTF8}). */
    public Builder binaryMode(BinaryMode mode) {
      this.binaryMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Reconnect backoff: the first wait is about {@code initial}, doubling after each failed
     * attempt up to {@code max}, each with jitter (50–100 % of it); a successful connect starts
     * again from {@code initial}. Default 100 ms to 30 s.
     */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      this.initialBackoff = Objects.requireNonNull(initial, "initial");
      this.maxBackoff = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * How many reconnect attempts in a row may fail before the stream fails (default: no
     * limit). A successful connect resets the count, so a server that keeps accepting and then
     * dropping us is retried forever, every {@code initial} backoff or so.
     */
    public Builder maxReconnectAttempts(int attempts) {
      this.maxReconnectAttempts = attempts;
      return this;
    }

    /**
     * Never reconnect: a close with 1000 completes the stream; any other close, an error or a
     * failed first connect fails it.
     */
    public Builder noReconnect() {
      return maxReconnectAttempts(0);
    }

    /**
     * Checks the settings, reads header values and the trust store, and makes the source.
     * Nothing connects until it is subscribed.
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     */
    public WebSocketSource build() {
      require(maxMessageSize >= 1, "maxMessageSize must be >= 1 but was " + maxMessageSize);
      require(bufferSize >= 1, "bufferSize must be >= 1 but was " + bufferSize);
      require(!initialBackoff.isNegative() && !initialBackoff.isZero(),
          "reconnect initial backoff must be > 0 but was " + initialBackoff);
      require(maxBackoff.compareTo(initialBackoff) >= 0,
          "reconnect max backoff must be >= initial backoff " + initialBackoff + " but was "
              + maxBackoff);
      require(maxReconnectAttempts >= 0,
          "maxReconnectAttempts must be >= 0 but was " + maxReconnectAttempts);
      return new WebSocketSource(new SourceConfig(buildEndpoint(), maxMessageSize, bufferSize,
          overflow, binaryMode, initialBackoff, maxBackoff, maxReconnectAttempts));
    }
  }
}
