package dev.sluice.websocket.internal;

import java.io.IOException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's connection: sends text messages one after another (the JDK client refuses a send
 * while the previous one is pending), connecting on the first send and again on the next send
 * after the connection was lost. What the server sends back is read and discarded.
 *
 * <p><b>Concurrency.</b> {@link #send} chains each message on the previous one under this
 * object's lock, so sends leave in call order whatever thread calls; the chain runs on the
 * JDK client's threads. Listener calls only clear {@code socket}.
 */
public final class SinkConnection implements WebSocket.Listener {

  private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.websocket.WebSocketSink");

  private final Endpoint endpoint;
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);   // guarded by this
  private volatile WebSocket socket;

  public SinkConnection(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Sends {@code text} after everything sent before; completes when the JDK's send does. */
  public synchronized CompletableFuture<Void> send(String text) {
    CompletableFuture<Void> next = tail.handle((v, e) -> null)
        .thenCompose(x -> open())
        .thenCompose(ws -> ws.sendText(text, true))
        .handle((ws, e) -> {
          if (e != null) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null
                ? e.getCause() : e;
            throw new CompletionException(
                new IOException(endpoint + ": cannot send: " + reason(cause), cause));
          }
          return null;
        });
    tail = next;
    return next;
  }

  /**
   * Why a send failed, in words a user can act on: the JDK's client fails a connection that
   * was refused with a bare {@code ConnectException} whose message is null.
   */
  static String reason(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return "nothing listens there (connection refused): is the server running, and are "
            + "the host and port right?";
      }
      if (t instanceof java.net.UnknownHostException) {
        return "unknown host: check the host name";
      }
      if (t instanceof javax.net.ssl.SSLException) {
        return "the TLS handshake failed (" + t.getMessage() + "): check --trust-store and "
            + "that the port serves TLS";
      }
      if (t.getCause() == t) {
        break;
      }
    }
    String message = cause.getMessage();
    return message != null && !message.isBlank() ? message : "the connection failed";
  }

  /** Completes when every send so far has. */
  public synchronized CompletableFuture<Void> flush() {
    return tail.thenApply(x -> null);
  }

  /** Waits up to {@code grace} for pending sends, then closes with 1000. */
  public void close(Duration grace) {
    CompletableFuture<?> last;
    synchronized (this) {
      last = tail;
    }
    try {
      last.handle((v, e) -> null).get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("{}: pending sends did not finish before close: {}", endpoint, e.toString());
    }
    WebSocket ws = socket;
    socket = null;
    if (ws != null) {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("{}: close failed: {}", endpoint, e.toString());
      } finally {
        ws.abort();
      }
    }
  }

  private CompletableFuture<WebSocket> open() {
    WebSocket ws = socket;
    if (ws != null && !ws.isOutputClosed()) {
      return CompletableFuture.completedFuture(ws);
    }
    return endpoint.connect(this).thenCompose(opened -> {
      socket = opened;
      LOG.info("{}: connected", endpoint);
      String subscribe = endpoint.subscribeMessage();
      return subscribe == null ? CompletableFuture.completedFuture(opened)
          : opened.sendText(subscribe, true);
    });
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    if (ws == socket) {
      socket = null;
      LOG.warn("{}: the server closed the connection: {} {}", endpoint, statusCode, reason);
    }
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    if (ws == socket) {
      socket = null;
      LOG.warn("{}: connection failed: {}", endpoint, error.toString());
    }
  }
}
