package dev.sluice.cli.uri;

import dev.sluice.Message;
import dev.sluice.PipelineException;
import dev.sluice.Sink;
import dev.sluice.mqtt.ConnectionState;
import dev.sluice.mqtt.Credentials;
import dev.sluice.mqtt.MqttSink;
import dev.sluice.mqtt.MqttSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * {@code mqtt://} and {@code mqtts://} sources and sinks (module sluice-mqtt), with the
 * parameters {@link MqttSource.Builder#uri} and {@link MqttSink.Builder#uri} read
 * ({@code qos}, {@code share}, {@code client-id}, {@code session-expiry}, {@code version},
 * {@code receive-maximum}, …). Payloads become text as UTF-8 (malformed bytes are replaced)
 * and results are published as UTF-8.
 *
 * <p><b>Credentials.</b> A URI that names a user ({@code mqtt://alice@host/…}) gets its
 * password from {@code --password-file}, else from {@code $SLUICE_MQTT_PASSWORD}; a password
 * in the URI itself is refused. The password is never printed.
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
      builder.uri(uri);
      credentials(uri, context).ifPresent(c -> builder.endpoint(e -> e.credentials(c)));
      return builder.build();
    });
    source.subscribed().thenRun(() -> context.notices().accept(
        "sluice run: subscribed to " + source.filters() + " on " + source.endpoint()));
    return new OpenedSource(utf8(source),
        () -> source.stats().state() == ConnectionState.CONNECTED, source);
  }

  static Sink<Object> sink(String option, String uri, String rest, UriContext context) {
    MqttSink.Builder builder = MqttSink.builder();
    usage(option, uri, () -> {
      builder.uri(uri);
      credentials(uri, context).ifPresent(c -> builder.endpoint(e -> e.credentials(c)));
      return builder;
    });
    try {
      return builder.connect();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': "
          + e.getMessage());
    } catch (IllegalStateException e) {
      throw new PipelineException("cannot connect " + option + " '" + Redaction.uri(uri)
          + "'", e);
    }
  }

  private static java.util.Optional<Credentials> credentials(String uri, UriContext context) {
    String user;
    String query;
    try {
      URI parsed = new URI(uri);
      user = parsed.getUserInfo();
      query = parsed.getRawQuery() == null ? "" : parsed.getRawQuery();
    } catch (URISyntaxException e) {
      return java.util.Optional.empty();     // the builder reports the bad URI
    }
    if (user == null || user.isEmpty() || user.contains(":")
        || query.contains("password-env=") || query.contains("password-file=")) {
      return java.util.Optional.empty();
    }
    if (context.passwordFile() != null) {
      return java.util.Optional.of(Credentials.fromFile(user, context.passwordFile()));
    }
    String variable = UriContext.PASSWORD_VARIABLE;
    String password = System.getenv(variable);
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("'" + Redaction.uri(uri) + "' names user '" + user
          + "': give its password with --password-file FILE or in $" + variable);
    }
    return java.util.Optional.of(Credentials.fromEnv(user, variable));
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

  /** {@code source} with each payload decoded as UTF-8; acks go to the original message. */
  static Flow.Publisher<Message<String>> utf8(Flow.Publisher<Message<byte[]>> source) {
    return subscriber -> source.subscribe(new Flow.Subscriber<Message<byte[]>>() {
      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscriber.onSubscribe(subscription);
      }

      @Override
      public void onNext(Message<byte[]> message) {
        subscriber.onNext(message.withPayload(
            new String(message.payload(), StandardCharsets.UTF_8)));
      }

      @Override
      public void onError(Throwable error) {
        subscriber.onError(error);
      }

      @Override
      public void onComplete() {
        subscriber.onComplete();
      }
    });
  }
}
