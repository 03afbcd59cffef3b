package dev.sluice.websocket;

import dev.sluice.Message;
import dev.sluice.Sink;
import dev.sluice.websocket.internal.SinkConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Sends each result's {@code toString()} as one text message to a WebSocket server. A write's
 * stage completes when the JDK client's {@code sendText} does (the message has been handed to
 * the socket), so the pipeline acknowledges the source message only after that.
 *
 * <pre>{@code
 * Sluice.from(source).process(Score::of)
 *     .to(WebSocketSink.builder("ws://127.0.0.1:8080/scores").build())
 *     .start();
 * }</pre>
 *
 * <p><b>Connection.</b> Connects on the first write, sending the subscribe message (if any)
 * first; after the connection is lost, the next write connects again. A write whose connect or
 * send fails completes exceptionally, which fails the pipeline. Messages from the server are
 * read and discarded; pings are answered by the JDK client.
 *
 * <p><b>Threads.</b> Thread-safe: writes are sent in call order whatever thread calls. The
 * returned stages complete on the JDK client's threads. {@link #close()} waits up to the
 * close timeout for pending sends, then closes with 1000.
 *
 * @param <R> the result type
 */
public final class WebSocketSink<R> implements Sink<R> {

  private final SinkConnection connection;
  private final Duration closeTimeout;
  private final String displayName;

  private WebSocketSink(SinkConnection connection, Duration closeTimeout, String displayName) {
    this.connection = connection;
    this.closeTimeout = closeTimeout;
    this.displayName = displayName;
  }

  /** Starts a sink for {@code uri} ({@code ws://} or {@code wss://}). */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /** Starts a sink for {@code uri} ({@code ws://} or {@code wss://}). */
  public static Builder builder(String uri) {
    return new Builder(URI.create(Objects.requireNonNull(uri, "uri")));
  }

  @Override
  public CompletionStage<Void> write(R result, Message<?> source) {
    return connection.send(String.valueOf(result));
  }

  @Override
  public CompletionStage<Void> flush() {
    return connection.flush();
  }

  @Override
  public void close() {
    connection.close(closeTimeout);
  }

  @Override
  public String toString() {
    return "WebSocketSink[" + displayName + "]";
  }

  /**
   * Configures a {@link WebSocketSink}; checked, and secrets read, in {@link #build()}.
   * Not thread-safe.
   */
  public static final class Builder extends ConnectionBuilder<Builder> {
    private Duration closeTimeout = Duration.ofSeconds(5);

    private Builder(URI uri) {
      super(uri);
    }

    /** How long {@link WebSocketSink#close()} waits for pending sends (default 5 s). */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Checks the settings, reads header values and the trust store, and makes the sink.
     * Nothing connects until the first write.
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     */
    public <R> WebSocketSink<R> build() {
      require(!closeTimeout.isNegative(), "closeTimeout must be >= 0 but was " + closeTimeout);
      var endpoint = buildEndpoint();
      return new WebSocketSink<>(new SinkConnection(endpoint), closeTimeout,
          endpoint.displayName());
    }
  }
}
