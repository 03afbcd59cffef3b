package dev.sluice.websocket;

import dev.sluice.websocket.internal.Endpoint;
import dev.sluice.websocket.internal.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The connection settings that {@link WebSocketSource.Builder} and {@link WebSocketSink.Builder}
 * share: URI, headers, subscribe message, TLS trust and connect timeout, so that code which
 * configures both (a command line) can take either. Everything is checked, and every secret
 * read, when the concrete builder's {@code build()} runs. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by each setter
 */
public abstract sealed class ConnectionBuilder<B extends ConnectionBuilder<B>>
    permits WebSocketSource.Builder, WebSocketSink.Builder {

  /** Headers the JDK's WebSocket client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED = Set.of("connection", "upgrade", "host",
      "content-length", "sec-websocket-accept", "sec-websocket-extensions", "sec-websocket-key",
      "sec-websocket-protocol", "sec-websocket-version");

  private final URI uri;
  private final Map<String, Secret> headers = new LinkedHashMap<>();
  private String subscribeMessage;
  private Path trustStore;
  private Secret trustStorePassword;
  private SSLContext sslContext;
  private Duration connectTimeout = Duration.ofSeconds(10);
  UnaryOperator<String> environment = System::getenv;

  ConnectionBuilder(URI uri) {
    this.uri = Objects.requireNonNull(uri, "uri");
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** Adds a header to the opening handshake; its value is never logged. */
  public B header(String name, String value) {
    return putHeader(name, Secret.literal(value));
  }

  /** Adds a header whose value is read from environment variable {@code variable} at build. */
  public B headerFromEnv(String name, String variable) {
    return putHeader(name, Secret.env(variable));
  }

  /**
   * Adds a header whose value is the content of {@code file} (UTF-8, surrounding whitespace
   * removed), read at build: the usual way to pass a mounted token.
   */
  public B headerFromFile(String name, Path file) {
    return putHeader(name, Secret.file(file));
  }

  private B putHeader(String name, Secret value) {
    headers.put(Objects.requireNonNull(name, "name"), value);
    return self();
  }

  /**
   * A text message sent right after every successful connect, reconnects included, before
   * anything is read: most feeds want a subscription request first.
   */
  public B subscribeMessage(String message) {
    this.subscribeMessage = Objects.requireNonNull(message, "message");
    return self();
  }

  /**
   * For wss://: trust the certificates in this PKCS12 or JKS file (the type is detected)
   * instead of the JDK's default trust store. Give its password with one of the
   * {@code trustStorePassword} methods unless it has none.
   */
  public B trustStore(Path file) {
    this.trustStore = Objects.requireNonNull(file, "file");
    return self();
  }

  /** The trust store's password. */
  public B trustStorePassword(String password) {
    this.trustStorePassword = Secret.literal(password);
    return self();
  }

  /** The trust store's password, from environment variable {@code variable} at build. */
  public B trustStorePasswordFromEnv(String variable) {
    this.trustStorePassword = Secret.env(variable);
    return self();
  }

  /** The trust store's password, the content of {@code file} at build. */
  public B trustStorePasswordFromFile(Path file) {
    this.trustStorePassword = Secret.file(file);
    return self();
  }

  /** For wss://: a ready-made TLS context, instead of {@link #trustStore(Path)}. */
  public B sslContext(SSLContext context) {
    this.sslContext = Objects.requireNonNull(context, "context");
    return self();
  }

  /** The longest the opening handshake may take (default 10 s). */
  public B connectTimeout(Duration timeout) {
    this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
    return self();
  }

  /** Checks the connection settings and reads the secrets. */
  Endpoint buildEndpoint() {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    require(scheme.equals("ws") || scheme.equals("wss"),
        "uri must start with ws:// or wss:// but was " + Endpoint.displayName(uri));
    require(uri.getHost() != null, "uri must name a host but was " + Endpoint.displayName(uri));
    require(connectTimeout.compareTo(Duration.ofMillis(1)) >= 0,
        "connectTimeout must be >= 1ms but was " + connectTimeout);
    require(trustStore == null || sslContext == null,
        "set trustStore or sslContext, not both");
    require(trustStore == null && sslContext == null || scheme.equals("wss"),
        "a trust store or TLS context needs a wss:// uri but was " + Endpoint.displayName(uri));
    Map<String, String> resolved = new LinkedHashMap<>();
    headers.forEach((name, secret) -> {
      require(!name.isBlank(), "header name must not be blank");
      require(!RESTRICTED.contains(name.toLowerCase(Locale.ROOT)),
          "header " + name + " is set by the WebSocket client and cannot be given");
      resolved.put(name, secret.resolve("header " + name, environment));
    });
    return new Endpoint(uri, resolved, subscribeMessage,
        trustStore != null ? loadTrustStore() : sslContext, connectTimeout);
  }

  private SSLContext loadTrustStore() {
    char[] password = trustStorePassword == null ? null
        : trustStorePassword.resolve("trustStorePassword", environment).toCharArray();
    try {
      KeyStore store = KeyStore.getInstance(trustStore.toFile(), password);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalArgumentException("trustStore " + trustStore + " cannot be loaded: " + e, e);
    }
  }

  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
