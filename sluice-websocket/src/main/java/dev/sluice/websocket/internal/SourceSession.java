package dev.sluice.websocket.internal;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.websocket.BinaryMode;
import dev.sluice.websocket.ConnectionState;
import dev.sluice.websocket.OverflowPolicy;
import dev.sluice.websocket.WebSocketStats;
import java.io.IOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to a WebSocket source: the JDK listener of each of its connections, the
 * bounded buffer, the subscription the subscriber sees, and reconnection.
 *
 * <p><b>Concurrency.</b> Three kinds of thread meet here: the JDK's listener calls (one at a
 * time per connection, on the HttpClient's threads, or on whichever thread called
 * {@code WebSocket.request}); the subscriber's {@code request}/{@code cancel} (any thread);
 * and the reconnect timer. The buffer, the demand and the terminal state are guarded by
 * {@code lock}, never held while calling out. Every signal to the subscriber comes from the
 * drain loop ({@code wip}), so signals are serial (rule 1.3) and re-entrant calls (a request
 * from inside onNext, a listener call made inside {@code WebSocket.request}) only mark work
 * for the thread already draining.
 *
 * <p><b>Backpressure.</b> Under {@link OverflowPolicy#BLOCK} the socket is asked for
 * {@code min(demand, bufferSize) - buffered - outstanding} more messages, so the JDK reads no
 * more than the subscriber wants and TCP slows the server. Listener calls that complete no
 * message (a non-final fragment, a ping, a pong) give their unit of JDK demand straight
 * back. Other policies ask the socket for everything and let the bounded buffer decide.
 *
 * <p><b>Shutdown.</b> {@link #close()} stops reading, closes the socket with 1000, delivers
 * what is buffered, then completes. A cancel discards the buffer. A socket is dropped from
 * {@code socket} before it is closed, so late calls from it are ignored.
 */
public final class SourceSession implements Flow.Subscription, WebSocket.Listener {

  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.websocket.WebSocketSource");
  private static final Map<String, String> TEXT = Map.of("websocket.type", "text");
  private static final Map<String, String> BINARY = Map.of("websocket.type", "binary");

  private final SourceConfig config;
  private final String name;
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
  private volatile WebSocket socket;
  private volatile ConnectionState state = ConnectionState.CONNECTING;
  private volatile boolean closing;
  private volatile int failedAttempts;
  private volatile int lastCloseCode = -1;
  private volatile String lastCloseReason = "";
  private volatile String lastError;
  private Assembler assembler;        // listener calls only; one per connection
  private long sequence;              // listener calls only
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();

  public SourceSession(SourceConfig config, Flow.Subscriber<? super Message<String>> subscriber) {
    this.config = config;
    this.name = config.endpoint().displayName();
    this.block = config.overflow() == OverflowPolicy.BLOCK;
    this.subscriber = subscriber;
  }

  /** Makes the first connection; called once, after the subscriber's onSubscribe. */
  public void start() {
    connect();
  }

  private void connect() {
    if (closing) {
      return;
    }
    state = ConnectionState.CONNECTING;
    config.endpoint().connect(this).whenComplete((ws, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error;
        lastError = cause.toString();
        LOG.warn("{}: cannot connect: {}", name, cause.toString());
        connectionLost(-1, "", cause);
      }
    });
  }

  // ---- the JDK listener: one call at a time per connection ----

  @Override
  public void onOpen(WebSocket ws) {
    if (closing) {
      closeSocket(ws, "closing");
      return;
    }
    assembler = new Assembler(config.maxMessageSize(), config.binaryMode() == BinaryMode.BASE64);
    synchronized (lock) {
      outstanding = 0;
    }
    failedAttempts = 0;
    socket = ws;
    state = ConnectionState.OPEN;
    LOG.info("{}: connected", name);
    String subscribe = config.endpoint().subscribeMessage();
    if (subscribe != null) {
      ws.sendText(subscribe, true).whenComplete((w, e) -> {
        if (e != null) {
          LOG.warn("{}: cannot send the subscribe message: {}", name, e.toString());
        }
      });
    }
    if (!block) {
      ws.request(Long.MAX_VALUE);
    }
    drain();
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    if (ws == socket) {
      arrived(ws, assembler.text(data, last));
    }
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
    if (ws == socket) {
      arrived(ws, assembler.binary(data, last));
    }
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
    giveBack(ws);       // the JDK answers with a pong itself
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
    giveBack(ws);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    if (ws == socket) {
      lastCloseCode = statusCode;
      lastCloseReason = reason;
      if (statusCode == WebSocket.NORMAL_CLOSURE) {
        LOG.info("{}: the server closed the connection: {} {}", name, statusCode, reason);
      } else {
        LOG.warn("{}: the server closed the connection: {} {}", name, statusCode, reason);
      }
      connectionLost(statusCode, reason, null);
    }
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    if (ws == socket) {
      lastError = error.toString();
      LOG.warn("{}: connection failed: {}", name, error.toString());
      connectionLost(-1, "", error);
    }
  }

  private void giveBack(WebSocket ws) {
    if (block && ws == socket) {
      ws.request(1);
    }
  }

  private void arrived(WebSocket ws, Assembler.Complete complete) {
    if (complete == null) {
      giveBack(ws);
      return;
    }
    received.incrementAndGet();
    Message<String> message = Message.builder(complete.payload()).topic(name)
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
      state = ConnectionState.FAILED;
      shutdown("buffer overflow");
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
          failure = new IOException(name + ": the server sent faster than the pipeline took, "
              + "and the buffer of " + config.bufferSize() + " messages overflowed "
              + "(OverflowPolicy.FAIL)");
          return true;
      }
    }
    buffer.add(message);
    bufferedPeak = Math.max(bufferedPeak, buffer.size());
    return false;
  }

  private void deadLetter(Message<String> message, Exception cause) {
    deadLettered.incrementAndGet();
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

  private void connectionLost(int code, String reason, Throwable error) {
    socket = null;
    if (closing) {
      return;
    }
    int attempt = failedAttempts;
    if (attempt < config.maxReconnectAttempts()) {
      failedAttempts = attempt + 1;
      long delay = backoffMillis(attempt);
      reconnects.incrementAndGet();
      state = ConnectionState.BACKING_OFF;
      LOG.info("{}: reconnecting in {} ms (attempt {})", name, delay, attempt + 1);
      CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(this::connect);
      return;
    }
    closing = true;
    synchronized (lock) {
      if (error == null && code == WebSocket.NORMAL_CLOSURE) {
        completing = true;
      } else {
        String what = error != null ? "connection failed: " + error
            : "the server closed the connection with " + code + " " + reason;
        endError = new IOException(name + ": " + what + (config.maxReconnectAttempts() > 0
            ? " (gave up after " + attempt + " reconnect attempts)" : ""), error);
      }
    }
    state = error == null && code == WebSocket.NORMAL_CLOSURE
        ? ConnectionState.CLOSED : ConnectionState.FAILED;
    drain();
  }

  private long backoffMillis(int attempt) {
    long initial = config.initialBackoff().toMillis();
    long max = config.maxBackoff().toMillis();
    long base = attempt >= 30 ? max : Math.min(max, initial << attempt);
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);   // jitter: 50–100 %
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
    shutdown("cancelled");
  }

  /** Stops reading: closes the connection, delivers what is buffered, then completes. */
  public void close() {
    synchronized (lock) {
      completing = true;
    }
    shutdown("closed");
    drain();
  }

  private void shutdown(String reason) {
    closing = true;
    if (state != ConnectionState.FAILED) {
      state = ConnectionState.CLOSED;
    }
    WebSocket ws = socket;
    socket = null;
    if (ws != null) {
      closeSocket(ws, reason);
    }
  }

  private void closeSocket(WebSocket ws, String reason) {
    LOG.info("{}: closing the connection ({})", name, reason);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, reason).whenComplete((w, e) -> ws.abort());
  }

  private void drain() {
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
            WebSocket ws = socket;
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
        shutdown(error == null ? "completed" : "failed");
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
    return state;
  }

  public WebSocketStats stats() {
    int buffered;
    int peak;
    synchronized (lock) {
      buffered = buffer.size();
      peak = bufferedPeak;
    }
    return new WebSocketStats(state, received.get(), delivered.get(), dropped.get(),
        deadLettered.get(), reconnects.get(), buffered, peak, lastCloseCode, lastCloseReason,
        lastError);
  }
}
