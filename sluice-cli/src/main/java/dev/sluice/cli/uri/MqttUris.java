package dev.sluice.cli.uri;

import dev.sluice.PipelineException;
import dev.sluice.Sink;
import dev.sluice.mqtt.Credentials;
import dev.sluice.mqtt.MqttEndpoint;
import dev.sluice.mqtt.MqttSink;
import dev.sluice.mqtt.MqttSource;
import dev.sluice.mqtt.TlsConfig;
import dev.sluice.spi.ConnectionState;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code mqtt://} and {@code mqtts://} sources and sinks (module sluice-mqtt), with the
 * parameters {@link MqttSource.Builder#uri} and {@link MqttSink.Builder#uri} read
 * ({@code qos}, {@code share}, {@code client-id}, {@code session-expiry}, {@code version},
 * {@code receive-maximum}, …). Payloads become text as UTF-8 (malformed bytes are replaced)
 * and results are published as UTF-8.
 *
 * <p><b>Credentials.</b> Every URI of the run that names a user ({@code mqtt://alice@host/…},
 * source, sink and dead letters alike) gets its password from {@code --password-file}, else
 * from {@code $SLUICE_MQTT_PASSWORD}; a password in the URI itself is refused. The password
 * is never printed.
 *
 * <p><b>TLS.</b> {@code mqtts://} (and its alias {@code ssl://}) is TLS with the run's
 * {@link UriContext#tls()}: the CA from {@code --trust-store} (else the JDK's), the client
 * certificate from {@code --key-store}; the broker's host name is checked.
 *
 * <p><b>Failures.</b> A connection that cannot be made (not trusted, expired, wrong host,
 * refused password, nothing listening) is reported as one sentence from
 * {@link ConnectionFailures}, without Java exception chains: the sink's before the run starts,
 * the source's as the run's failure.
 *
 * <p><b>Flow control.</b> The source keeps the module's defaults: Receive Maximum 65535 and at
 * most {@code max-buffered} (256) messages waiting in the process, past which the socket is not
 * read. It is not tied to {@code --max-in-flight}, because Mosquitto 2.0 does not honour a
 * small Receive Maximum and the client then disconnects in a loop; on a broker that honours it
 * (HiveMQ, EMQX) {@code receive-maximum=N} in the URI sets it.
 *
 * <p>Stateless and thread-safe. The sink connects while the command line is checked: an
 * unreachable broker is reported (with its host and port) before anything starts.
 */
final class MqttUris {

  private MqttUris() {
  }

  static OpenedSource source(String uri, String rest, UriContext context) {
    MqttSource.Builder builder = MqttSource.builder();
    MqttSource source = usage("--source", uri, () -> {
      Optional<Credentials> credentials = credentials(uri, context);
      builder.uri(uri);
      endpoint(uri, credentials, context, builder::endpoint);
      return builder.build();
    });
    source.subscribed().thenRun(() -> context.notices().accept(
        "sluice run: subscribed to " + source.filters() + " on " + source.endpoint()));
    return new OpenedSource(TextSource.utf8(source, source.subscribed(),
        target(source.endpoint().toString())),
        () -> source.stats().state() == ConnectionState.CONNECTED, source,
        source.subscribed(), () -> source.stats().state());
  }

  static Sink<Object> sink(String option, String uri, String rest, UriContext context) {
    MqttSink.Builder builder = MqttSink.builder();
    usage(option, uri, () -> {
      Optional<Credentials> credentials = credentials(uri, context);
      builder.uri(uri);
      endpoint(uri, credentials, context, builder::endpoint);
      return builder;
    });
    try {
      return builder.connect();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': "
          + e.getMessage());
    } catch (IllegalStateException e) {
      throw new PipelineException(option + ": " + ConnectionFailures.describe(
          target(Redaction.uri(uri)), e), null);
    }
  }

  /** The credentials of a URI naming a user, and the run's TLS for {@code mqtts://}. */
  private static void endpoint(String uri, Optional<Credentials> credentials, UriContext context,
      Consumer<Consumer<MqttEndpoint.Builder>> settings) {
    credentials.ifPresent(c -> settings.accept(e -> e.credentials(c)));
    String scheme = uri.substring(0, Math.max(uri.indexOf(':'), 0)).toLowerCase(Locale.ROOT);
    if ((scheme.equals("mqtts") || scheme.equals("ssl")) && !context.tls().isDefault()) {
      TlsConfig.Builder tls = TlsConfig.builder();
      if (context.tls().trust() != null) {
        tls.trustManagers(context.tls().trust());
      }
      if (context.tls().keys() != null) {
        tls.keyManagers(context.tls().keys());
      }
      TlsConfig config = tls.build();
      settings.accept(e -> e.tls(config));
    }
  }

  /** {@code mqtts://host:port} of an endpoint or URI: what a failure message names. */
  private static String target(String endpointOrUri) {
    int slash = endpointOrUri.indexOf('/', endpointOrUri.indexOf("//") + 2);
    String s = slash < 0 ? endpointOrUri : endpointOrUri.substring(0, slash);
    int space = s.indexOf(' ');
    return space < 0 ? s : s.substring(0, space);
  }

  private static Optional<Credentials> credentials(String uri, UriContext context) {
    String user;
    String query;
    try {
      // a sink's topic template may hold braces, which java.net.URI refuses
      URI parsed = new URI(uri.replace("{", "%7B").replace("}", "%7D"));
      user = parsed.getUserInfo();
      query = parsed.getRawQuery() == null ? "" : parsed.getRawQuery();
    } catch (URISyntaxException e) {
      return Optional.empty();     // the builder reports the bad URI
    }
    if (user == null || user.isEmpty()) {
      return Optional.empty();
    }
    if (user.contains(":")) {
      throw new IllegalArgumentException("'" + Redaction.uri(uri) + "' holds a password: "
          + "remove it from the URI and give it with --password-file FILE or in $"
          + UriContext.PASSWORD_VARIABLE);
    }
    if (query.contains("password-env=") || query.contains("password-file=")) {
      return Optional.empty();
    }
    if (context.passwordFile() != null) {
      return Optional.of(Credentials.fromFile(user, context.passwordFile()));
    }
    String variable = UriContext.PASSWORD_VARIABLE;
    String password = System.getenv(variable);
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("'" + Redaction.uri(uri) + "' names user '" + user
          + "': give its password with --password-file FILE or in $" + variable);
    }
    return Optional.of(Credentials.fromEnv(user, variable));
  }

  /** Runs a builder step, turning its complaints into one line that names the option. */
  private static <T> T usage(String option, String uri, Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      String message = e.getMessage();
      if (message != null && message.startsWith("clientId must be set")) {
        message += " (add client-id=ID to the URI)";
      }
      if (message != null && message.startsWith("'" + Redaction.uri(uri) + "'")) {
        throw new IllegalArgumentException(option + " " + message);
      }
      throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': " + message);
    }
  }

}
