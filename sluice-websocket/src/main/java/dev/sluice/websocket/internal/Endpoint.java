package dev.sluice.websocket.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * Where and how to connect: a validated, immutable description shared by the source and the
 * sink, and the {@link HttpClient} that makes their connections.
 *
 * <p><b>Thread-safety.</b> Immutable but for the lazily made client, which is created once
 * under this object's lock; {@link #connect} may be called from any thread.
 *
 * <p><b>Threads.</b> The JDK's {@code HttpClient} runs its selector on a daemon thread of its
 * own and calls listeners on its executor (daemon threads). Java 17's client has no
 * {@code close()}: those threads end once the client is idle and unreachable.
 */
public final class Endpoint {

  private final URI uri;
  private final String displayName;
  private final Map<String, String> headers;
  private final String subscribeMessage;
  private final SSLContext sslContext;
  private final Duration connectTimeout;
  private HttpClient client;

  /**
   * @param headers          resolved header values, never logged
   * @param subscribeMessage sent after every connect, or null
   * @param sslContext       for wss://, or null for the JDK's default trust store
   */
  public Endpoint(URI uri, Map<String, String> headers, String subscribeMessage,
      SSLContext sslContext, Duration connectTimeout) {
    this.uri = uri;
    this.displayName = displayName(uri);
    this.headers = Map.copyOf(headers);
    this.subscribeMessage = subscribeMessage;
    this.sslContext = sslContext;
    this.connectTimeout = connectTimeout;
  }

  /** The URI without user info or query (which may hold credentials), for logs. */
  public static String displayName(URI uri) {
    String port = uri.getPort() >= 0 ? ":" + uri.getPort() : "";
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return uri.getScheme() + "://" + uri.getHost() + port + path;
  }

  public String displayName() { return displayName; }

  public String subscribeMessage() { return subscribeMessage; }

  /** Starts the opening handshake; the future completes after {@code listener.onOpen}. */
  public CompletableFuture<WebSocket> connect(WebSocket.Listener listener) {
    WebSocket.Builder builder = client().newWebSocketBuilder().connectTimeout(connectTimeout);
    headers.forEach(builder::header);
    return builder.buildAsync(uri, listener);
  }

  private synchronized HttpClient client() {
    if (client == null) {
      HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
      if (sslContext != null) {
        builder.sslContext(sslContext);
      }
      client = builder.build();
    }
    return client;
  }

  @Override
  public String toString() {
    return displayName;
  }
}
