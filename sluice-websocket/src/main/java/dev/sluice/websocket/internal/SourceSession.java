package dev.sluice.websocket.internal;

import dev.sluice.Message;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.EmitResult;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.SourceEmitter;
import dev.sluice.spi.SourceOverflowException;
import dev.sluice.websocket.WebSocketStats;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to a WebSocket source: turns complete messages into {@link Message}s for
 * its {@link SourceEmitter}, which owns the buffer, the demand and the signals; its
 * {@link SourceConnection} makes and remakes the connections.
 *
 * <p><b>Backpressure.</b> Under {@link OverflowPolicy#BLOCK} the session reads on demand: the
 * emitter asks it for as many messages as the subscriber wants and the buffer has room for,
 * and it passes that on to {@code WebSocket.request}, so the JDK reads no more and TCP slows
 * the server. A new connection starts with nothing asked of it ({@link #opened()}). Other
 * policies ask the socket for everything and let the emitter's bounded buffer decide.
 *
 * <p><b>Threads.</b> {@link #arrived} and {@link #ended} come from the connection's listener
 * (one call at a time); the emitter's {@code onRequest} from whichever thread drains it (a
 * listener call the JDK makes inside {@code WebSocket.request} then emits re-entrantly, which
 * the emitter allows); {@link #close()} and the emitter's {@code onCancel} from any thread.
 */
public final class SourceSession {

  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.websocket.WebSocketSource");
  private static final Map<String, String> TEXT = Map.of("websocket.type", "text");
  private static final Map<String, String> BINARY = Map.of("websocket.type", "binary");

  private final SourceConnection connection;
  private final SourceEmitter<String> emitter;
  private long sequence;              // listener calls only
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();

  /** Makes the session and signals {@code onSubscribe}; {@link #start()} then connects. */
  public SourceSession(SourceConfig config, Flow.Subscriber<? super Message<String>> subscriber) {
    boolean block = config.overflow() == OverflowPolicy.BLOCK;
    this.connection = new SourceConnection(config, this, block);
    SourceEmitter.Builder<String> builder = SourceEmitter.builder(subscriber)
        .capacity(config.bufferSize())
        .overflow(config.overflow())
        .onCancel(this::cancelled);
    if (block) {
      builder.onRequest(this::readMore);
    }
    this.emitter = builder.start();
  }

  /** Makes the first connection; called once, after the subscriber's onSubscribe. */
  public void start() {
    connection.connect();
  }

  // ---- from the connection ----

  /** A new connection is about to be used: nothing has been asked of it yet. */
  void opened() {
    emitter.upstreamReset();
  }

  /** The new connection is the socket now: ask it for what the subscriber wants. */
  void ready() {
    emitter.upstreamReady();
  }

  /** A complete message (or one to dead-letter) arrived. */
  void arrived(Assembler.Complete complete) {
    received.incrementAndGet();
    Message.Builder<String> message = Message.builder(complete.payload())
        .topic(connection.name()).sequence(++sequence)
        .headers(complete.binary() ? BINARY : TEXT);
    if (complete.failure() != null) {
      deadLettered.incrementAndGet();
      LOG.warn("{}: dead-lettering message {}: {}", connection.name(), sequence,
          complete.failure().getMessage());
      message.failure(complete.failure());
    }
    EmitResult result = emitter.tryEmit(message.build());
    if (result == EmitResult.FULL) {
      // cannot happen: under BLOCK the socket is asked for no more than there is room for
      LOG.error("{}: message {} lost: the buffer was full under BLOCK", connection.name(),
          sequence);
    }
  }

  /** The connection is gone for good: complete (null) or fail once the buffer is delivered. */
  void ended(Throwable error) {
    if (error == null) {
      emitter.complete();
    } else {
      emitter.fail(error);
    }
  }

  /** Stops reading: closes the connection, delivers what is buffered, then completes. */
  public void close() {
    connection.shutdown("closed", false);
    emitter.complete();
  }

  /** The emitter asks for {@code n} more messages: passed on to the open socket, if any. */
  private boolean readMore(long n) {
    WebSocket ws = connection.socket();
    if (ws == null) {
      return false;
    }
    ws.request(n);
    return true;
  }

  /** The subscriber cancelled or broke rule 3.9, or the buffer overflowed under FAIL. */
  private void cancelled(Throwable cause) {
    boolean overflow = cause instanceof SourceOverflowException;
    connection.shutdown(overflow ? "buffer overflow"
        : cause instanceof CancellationException ? "cancelled" : "failed", overflow);
  }

  public ConnectionState state() {
    return connection.state();
  }

  /** Messages read and not yet delivered: the backlog the capacity model sees. */
  public long buffered() {
    return emitter.buffered();
  }

  public WebSocketStats stats() {
    return new WebSocketStats(connection.state(), received.get(), emitter.delivered(),
        emitter.dropped(), deadLettered.get(), connection.reconnects(), emitter.buffered(),
        emitter.bufferedPeak(), connection.lastCloseCode(), connection.lastCloseReason(),
        connection.lastError());
  }
}
