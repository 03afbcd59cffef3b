package dev.sluice.mqtt;

import dev.sluice.spi.Backoff;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how to connect: broker host and port, TLS, credentials, protocol version, and the
 * reconnect backoff. Shared by {@link MqttSource} and {@link MqttSink}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} prints {@code mqtt[s]://[user@]host:port}
 * and never a password.
 */
public final class MqttEndpoint {

  private static final Pattern SECRET_PARAM = Pattern.compile(
      "(?i)([?&](?:password|pass|secret|token|key-store-password|trust-store-password)=)[^&]*");
  private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^@/]*)@");

  private final String host;
  private final int port;
  private final TlsConfig tls;
  private final Credentials credentials;
  private final MqttVersion version;
  private final Duration keepAlive;
  private final Duration connectTimeout;
  private final Duration reconnectInitialDelay;
  private final Duration reconnectMaxDelay;

  private MqttEndpoint(Builder b) {
    this.host = b.host;
    this.port = b.port >= 0 ? b.port : (b.tls != null ? 8883 : 1883);
    this.tls = b.tls;
    this.credentials = b.credentials;
    this.version = b.version;
    this.keepAlive = b.keepAlive;
    this.connectTimeout = b.connectTimeout;
    this.reconnectInitialDelay = b.reconnectInitialDelay;
    this.reconnectMaxDelay = b.reconnectMaxDelay;
  }

  /** Starts an endpoint (default: 127.0.0.1:1883, MQTT 5, no TLS, no credentials). */
  public static Builder builder() {
    return new Builder();
  }

  /** An endpoint from {@code mqtt://host[:port]} or {@code mqtts://host[:port]}; see {@link Builder#uri}. */
  public static MqttEndpoint of(String uri) {
    return builder().uri(uri).build();
  }

  /**
   * {@code uri} with any password in its user-info and any secret-looking query parameter
   * ({@code password}, {@code token}, ...) replaced by {@code ***}: for logs and error messages.
   */
  public static String redact(String uri) {
    if (uri == null) {
      return null;
    }
    Matcher m = USER_INFO.matcher(uri);
    String s = uri;
    if (m.find()) {
      String info = m.group(2);
      int colon = info.indexOf(':');
      if (colon >= 0) {
        s = m.group(1) + info.substring(0, colon) + ":***@" + uri.substring(m.end());
      }
    }
    return SECRET_PARAM.matcher(s).replaceAll("$1***");
  }

  public String host() { return host; }

  public int port() { return port; }

  /** The TLS settings, or null for plain TCP. */
  public TlsConfig tls() { return tls; }

  /** The credentials, or null for none. */
  public Credentials credentials() { return credentials; }

  public MqttVersion version() { return version; }

  public Duration keepAlive() { return keepAlive; }

  public Duration connectTimeout() { return connectTimeout; }

  public Duration reconnectInitialDelay() { return reconnectInitialDelay; }

  public Duration reconnectMaxDelay() { return reconnectMaxDelay; }

  /** The reconnect waits: doubling from the initial delay to the max, each 50–100 % of its base. */
  public Backoff reconnectBackoff() {
    return Backoff.exponential(reconnectInitialDelay, reconnectMaxDelay);
  }

  /** {@code mqtt[s]://[user@]host:port}: no secrets. */
  @Override
  public String toString() {
    return (tls != null ? "mqtts://" : "mqtt://")
        + (credentials != null ? credentials.username() + "@" : "") + host + ":" + port
        + (version == MqttVersion.V3_1_1 ? " (MQTT 3.1.1)" : "");
  }

  /** Builds an {@link MqttEndpoint}; every setting is checked in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = -1;                 // -1: the scheme's default
    private TlsConfig tls;
    private Credentials credentials;
    private MqttVersion version = MqttVersion.V5;
    private Duration keepAlive = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration reconnectInitialDelay = Duration.ofMillis(200);
    private Duration reconnectMaxDelay = Duration.ofSeconds(10);

    private Builder() {
    }

    /**
     * Host, port and transport from {@code mqtt://host[:port]} (default port 1883) or
     * {@code mqtts://host[:port]} (8883, TLS with the JDK's trust unless {@link #tls} says
     * otherwise); {@code tcp://} and {@code ssl://} are accepted as aliases. A username in the
     * URI is kept; a password there is refused. Path and query are ignored here (see
     * {@link MqttSource.Builder#uri}). A port outside 1..65535 (0 included) fails in
     * {@link #build()}.
     *
     * @throws IllegalArgumentException for another scheme, no host, or a password in the URI
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      URI parsed;
      try {
        parsed = new URI(uri);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("not a URI: " + redact(uri), e);
      }
      String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
      boolean secure;
      switch (scheme) {
        case "mqtt": case "tcp": secure = false; break;
        case "mqtts": case "ssl": secure = true; break;
        default:
          throw new IllegalArgumentException(
              "scheme must be mqtt or mqtts but was '" + scheme + "' in " + redact(uri));
      }
      if (parsed.getHost() == null) {
        throw new IllegalArgumentException("no host in " + redact(uri));
      }
      String info = parsed.getRawUserInfo();
      if (info != null && info.contains(":")) {
        throw new IllegalArgumentException("a password must not be given in the URI "
            + redact(uri) + ": use Credentials.fromEnv or Credentials.fromFile");
      }
      this.host = parsed.getHost();
      this.port = parsed.getPort();         // -1 when the URI gives none; 0 is refused in build()
      if (secure && tls == null) {
        tls = TlsConfig.defaults();
      } else if (!secure) {
        tls = null;
      }
      if (info != null && !info.isEmpty() && credentials == null) {
        pendingUser = parsed.getUserInfo();
      }
      return this;
    }

    private String pendingUser;

    /** The broker's host name or address. */
    public Builder host(String host) { this.host = Objects.requireNonNull(host, "host"); return this; }

    /** The broker's port, 1..65535 (default 1883, or 8883 with TLS). */
    public Builder port(int port) { this.port = port; return this; }

    /** TLS settings; null for plain TCP. */
    public Builder tls(TlsConfig tls) { this.tls = tls; return this; }

    /** Credentials; null for none. */
    public Builder credentials(Credentials credentials) { this.credentials = credentials; return this; }

    /** The protocol version (default {@link MqttVersion#V5}). */
    public Builder version(MqttVersion version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /** The keep-alive interval (default 30 s). */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
      return this;
    }

    /** How long the first connection may take (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /** Reconnect backoff: first delay (default 200 ms), doubling with jitter up to {@code max} (default 10 s). */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      this.reconnectInitialDelay = Objects.requireNonNull(initial, "initial");
      this.reconnectMaxDelay = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     */
    public MqttEndpoint build() {
      require(!host.isBlank(), "host must not be blank");
      require(port == -1 || port >= 1 && port <= 65535, "port must be in 1..65535 but was " + port);
      long keepAliveS = keepAlive.getSeconds();
      require(keepAliveS >= 1 && keepAliveS <= 65535,
          "keepAlive must be between 1s and 65535s but was " + keepAlive);
      require(!connectTimeout.isNegative() && !connectTimeout.isZero(),
          "connectTimeout must be > 0 but was " + connectTimeout);
      require(!reconnectInitialDelay.isNegative() && !reconnectInitialDelay.isZero(),
          "reconnect initial delay must be > 0 but was " + reconnectInitialDelay);
      require(reconnectMaxDelay.compareTo(reconnectInitialDelay) >= 0,
          "reconnect max delay must be >= the initial delay " + reconnectInitialDelay
              + " but was " + reconnectMaxDelay);
      if (pendingUser != null && credentials == null) {
        throw new IllegalArgumentException("the URI names user '" + pendingUser
            + "' but no credentials were given: use Credentials.fromEnv or Credentials.fromFile");
      }
      return new MqttEndpoint(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
