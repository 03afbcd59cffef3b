package dev.sluice.websocket.internal;

import dev.sluice.spi.Backoff;
import dev.sluice.spi.ConnectionState;
import dev.sluice.websocket.BinaryMode;
import java.io.IOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection side of a {@link SourceSession}: connects, listens, reassembles, reconnects
 * with backoff, and reports close codes. It is the JDK listener of every connection it makes.
 *
 * <p><b>Concurrency.</b> The JDK calls a listener one call at a time per connection, on the
 * HttpClient's threads or on the thread that called {@code WebSocket.request}; connections
 * follow one another (the next is made from the reconnect timer only after the last one was
 * lost), so {@code assembler} needs no lock. {@code socket} is the open connection or null:
 * it is cleared before a connection is closed, and calls from any other connection are
 * ignored. State and counters are volatile or atomic, for {@code stats()} from any thread.
 */
final class SourceConnection implements WebSocket.Listener {

  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.websocket.WebSocketSource");

  private final SourceConfig config;
  private final SourceSession session;
  private final String name;
  private final boolean block;
  private final Backoff backoff;
  private volatile WebSocket socket;
  private volatile ConnectionState state = ConnectionState.CONNECTING;
  private volatile boolean closing;
  private volatile int failedAttempts;
  private volatile int lastCloseCode = -1;
  private volatile String lastCloseReason = "";
  private volatile String lastError;
  private final AtomicLong reconnects = new AtomicLong();
  private Assembler assembler;

  SourceConnection(SourceConfig config, SourceSession session, boolean block) {
    this.config = config;
    this.session = session;
    this.name = config.endpoint().displayName();
    this.block = block;
    this.backoff = Backoff.exponential(config.initialBackoff(), config.maxBackoff());
  }

  String name() { return name; }

  WebSocket socket() { return socket; }

  ConnectionState state() { return state; }

  long reconnects() { return reconnects.get(); }

  int lastCloseCode() { return lastCloseCode; }

  String lastCloseReason() { return lastCloseReason; }

  String lastError() { return lastError; }

  void connect() {
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
        lost(-1, "", cause);
      }
    });
  }

  /** Stops for good: no reconnect; closes the open connection, if any, with 1000. */
  void shutdown(String reason, boolean failed) {
    closing = true;
    if (failed) {
      state = ConnectionState.FAILED;
    } else if (state != ConnectionState.FAILED) {
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

  @Override
  public void onOpen(WebSocket ws) {
    if (closing) {
      closeSocket(ws, "closing");
      return;
    }
    assembler = new Assembler(config.maxMessageSize(), config.binaryMode() == BinaryMode.BASE64);
    session.opened();
    failedAttempts = 0;
    socket = ws;
    state = ConnectionState.CONNECTED;
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
    session.ready();
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
      lost(statusCode, reason, null);
    }
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    if (ws == socket) {
      lastError = error.toString();
      LOG.warn("{}: connection failed: {}", name, error.toString());
      lost(-1, "", error);
    }
  }

  /**
   * Under BLOCK, a listener call that completes no message (a fragment, a ping, a pong) used
   * one unit of the JDK's demand that the session counted as a message: give it back.
   */
  private void giveBack(WebSocket ws) {
    if (block && ws == socket) {
      ws.request(1);
    }
  }

  private void arrived(WebSocket ws, Assembler.Complete complete) {
    if (complete == null) {
      giveBack(ws);
    } else {
      session.arrived(complete);
    }
  }

  private void lost(int code, String reason, Throwable error) {
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
    if (error == null && code == WebSocket.NORMAL_CLOSURE) {
      state = ConnectionState.CLOSED;
      session.ended(null);
    } else {
      state = ConnectionState.FAILED;
      String what = error != null ? "connection failed: " + error
          : "the server closed the connection with " + code + " " + reason;
      session.ended(new IOException(name + ": " + what
          + (config.maxReconnectAttempts() > 0
              ? " (gave up after " + attempt + " reconnect attempts)" : ""), error));
    }
  }

  private long backoffMillis(int attempt) {
    return backoff.delay(attempt + 1).toMillis();
  }
}
