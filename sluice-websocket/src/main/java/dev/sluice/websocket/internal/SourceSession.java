package dev.sluice.websocket.internal;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.websocket.ConnectionState;
import dev.sluice.websocket.OverflowPolicy;
import dev.sluice.websocket.WebSocketStats;
import java.io.IOException;
import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to a WebSocket source: the bounded buffer, the demand, and the signals to
 * the subscriber. Its {@link SourceConnection} makes and remakes the connections.
 *
 * <p><b>Concurrency.</b> Messages arrive from the JDK listener (one call at a time);
 * {@code request} and {@code cancel} come from any thread. The buffer, the demand and the
 * terminal state are guarded by {@code lock}, never held while calling out. Every signal to
 * the subscriber comes from the drain loop ({@code wip}), so signals are serial (rule 1.3),
 * and re-entrant calls (a request from inside onNext; a listener call the JDK makes inside
 * {@code WebSocket.request}) only mark work for the thread already draining.
 *
 * <p><b>Backpressure.</b> Under {@link OverflowPolicy#BLOCK} the socket is asked for
 * {@code min(demand, bufferSize) - buffered - outstanding} more messages, so the JDK reads no
 * more than the subscriber wants and TCP slows the server; the buffer can never overflow.
 * Other policies ask the socket for everything and let the bounded buffer decide.
 *
 * <p><b>Shutdown.</b> {@link #close()} stops reading, delivers what is buffered, then
 * completes; a connection lost for good does the same, then fails. A cancel, a bad request
 * or an overflow under FAIL discards the buffer at once.
 */
public final class SourceSession implements Flow.Subscription {

  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.websocket.WebSocketSource");
  private static final Map<String, String> TEXT = Map.of("websocket.type", "text");
  private static final Map<String, String> BINARY = Map.of("websocket.type", "binary");

  private final SourceConfig config;
  private final SourceConnection connection;
  private final boolean block;
  private volatile Flow.Subscriber<? super Message<String>> subscriber;

  private final Object lock = new Object();
  private final ArrayDeque<Message<String>> buffer = new ArrayDeque<>();   // guarded by lock
  private long demand;                // guarded by lock
  private long outstanding;           // guarded by lock: asked of the socket, not yet complete
  private boolean completing;         // guarded by lock: complete once the buffer is empty
  private Throwable endError;         // guarded by lock: signal once the buffer is empty
  private Throwable failure;          // guarded by lock: signal at once, dropping the buffer
  private boolean terminated;         // guarded by lock: signalled, or cancelled
  private boolean badRequest;         // guarded by lock
  private long badRequestValue;       // guarded by lock
  private int bufferedPeak;           // guarded by lock

  private final AtomicInteger wip = new AtomicInteger();
  private long sequence;              // listener calls only
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();

  public SourceSession(SourceConfig config, Flow.Subscriber<? super Message<String>> subscriber) {
    this.config = config;
    this.block = config.overflow() == OverflowPolicy.BLOCK;
    this.subscriber = subscriber;
    this.connection = new SourceConnection(config, this, block);
  }

  /** Makes the first connection; called once, after the subscriber's onSubscribe. */
  public void start() {
    connection.connect();
  }

  // ---- from the connection ----

  /** A new connection is open: nothing has been asked of it yet. */
  void opened() {
    synchronized (lock) {
      outstanding = 0;
    }
  }

  /** A complete message (or one to dead-letter) arrived. */
  void arrived(Assembler.Complete complete) {
    received.incrementAndGet();
    Message<String> message = Message.builder(complete.payload()).topic(connection.name())
        .sequence(++sequence).headers(complete.binary() ? BINARY : TEXT).build();
    boolean overflowed = false;
    synchronized (lock) {
      if (block && outstanding > 0) {
        outstanding--;
      }
      if (terminated) {
        return;
      }
      if (complete.failure() == null) {
        overflowed = offer(message);
      }
    }
    if (complete.failure() != null) {
      deadLetter(message, complete.failure());
    }
    if (overflowed) {
      connection.shutdown("buffer overflow", true);
    }
    drain();
  }

  /** The connection is gone for good: complete (null) or fail once the buffer is delivered. */
  void ended(Throwable error) {
    synchronized (lock) {
      if (error == null) {
        completing = true;
      } else {
        endError = error;
      }
    }
    drain();
  }

  /** Adds to the buffer under the overflow policy; true if the stream must now fail. */
  private boolean offer(Message<String> message) {
    if (buffer.size() >= config.bufferSize() && !block) {
      switch (config.overflow()) {
        case DROP_NEWEST:
          dropped.incrementAndGet();
          return false;
        case DROP_OLDEST:
          buffer.poll();
          dropped.incrementAndGet();
          break;
        default:
          dropped.addAndGet(buffer.size() + 1L);
          buffer.clear();
          failure = new IOException(connection.name() + ": the server sent faster than the "
              + "pipeline took, and the buffer of " + config.bufferSize()
              + " messages overflowed (OverflowPolicy.FAIL)");
          return true;
      }
    }
    buffer.add(message);
    bufferedPeak = Math.max(bufferedPeak, buffer.size());
    return false;
  }

  private void deadLetter(Message<String> message, Exception cause) {
    deadLettered.incrementAndGet();
    String name = connection.name();
    LOG.warn("{}: dead-lettering message {}: {}", name, message.sequence(), cause.getMessage());
    if (config.deadLetters() == null) {
      return;
    }
    try {
      config.deadLetters().write(new DeadLetter<>(message, cause, 0), message)
          .whenComplete((v, e) -> {
            if (e != null) {
              LOG.error("{}: the dead-letter sink failed: {}", name, e.toString());
            }
          });
    } catch (RuntimeException e) {
      LOG.error("{}: the dead-letter sink failed: {}", name, e.toString());
    }
  }

  // ---- the subscription ----

  @Override
  public void request(long n) {
    synchronized (lock) {
      if (n <= 0) {
        if (!badRequest) {
          badRequest = true;
          badRequestValue = n;
        }
      } else {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
    }
    drain();
  }

  @Override
  public void cancel() {
    synchronized (lock) {
      terminated = true;
      buffer.clear();
    }
    subscriber = null;
    connection.shutdown("cancelled", false);
  }

  /** Stops reading: closes the connection, delivers what is buffered, then completes. */
  public void close() {
    synchronized (lock) {
      completing = true;
    }
    connection.shutdown("closed", false);
    drain();
  }

  void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      WebSocket requestFrom = null;
      long toRequest = 0;
      for (;;) {
        Flow.Subscriber<? super Message<String>> s = subscriber;
        Message<String> next = null;
        Throwable error = null;
        synchronized (lock) {
          if (terminated || s == null) {
            break;
          }
          if (badRequest) {
            error = new IllegalArgumentException(
                "rule 3.9: request must be positive but was " + badRequestValue);
          } else if (failure != null) {
            error = failure;
          } else if (!buffer.isEmpty() && demand > 0) {
            next = buffer.poll();
            if (demand != Long.MAX_VALUE) {
              demand--;
            }
          } else if (buffer.isEmpty() && (completing || endError != null)) {
            error = endError;
          } else {
            WebSocket ws = connection.socket();
            if (block && ws != null && !completing) {
              long want = Math.min(demand, config.bufferSize()) - buffer.size() - outstanding;
              if (want > 0) {
                outstanding += want;
                requestFrom = ws;
                toRequest = want;
              }
            }
            break;
          }
          if (next == null) {
            terminated = true;
            buffer.clear();
          }
        }
        if (next != null) {
          delivered.incrementAndGet();
          s.onNext(next);
          continue;
        }
        subscriber = null;
        connection.shutdown(error == null ? "completed" : "failed", false);
        if (error == null) {
          s.onComplete();
        } else {
          s.onError(error);
        }
        break;
      }
      if (requestFrom != null) {
        requestFrom.request(toRequest);
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  public ConnectionState state() {
    return connection.state();
  }

  public WebSocketStats stats() {
    int buffered;
    int peak;
    synchronized (lock) {
      buffered = buffer.size();
      peak = bufferedPeak;
    }
    return new WebSocketStats(connection.state(), received.get(), delivered.get(),
        dropped.get(), deadLettered.get(), connection.reconnects(), buffered, peak,
        connection.lastCloseCode(), connection.lastCloseReason(), connection.lastError());
  }
}
