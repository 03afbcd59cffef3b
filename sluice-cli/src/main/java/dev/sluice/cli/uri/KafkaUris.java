package dev.sluice.cli.uri;

import dev.sluice.Sink;
import dev.sluice.kafka.KafkaSecurity;
import dev.sluice.kafka.KafkaSink;
import dev.sluice.kafka.KafkaSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code kafka://} sources and sinks (module sluice-kafka).
 *
 * <pre>
 * kafka://HOST:PORT[,HOST:PORT...]/TOPIC[,TOPIC...]?group=G[&amp;...]   source
 * kafka://HOST:PORT/?pattern=REGEX&amp;group=G                         source, topics by pattern
 * kafka://HOST:PORT/TEMPLATE                                         sink: {topic}, {key}
 * </pre>
 *
 * <p>Parameters: {@code group} (required for a source), {@code client-id},
 * {@code auto-offset-reset} (earliest, latest, none), {@code commit-interval},
 * {@code buffer}, {@code pattern}; security: {@code sasl} (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512) with {@code user}, the password from {@code password-file=PATH},
 * {@code password-env=VAR}, {@code --password-file}, or {@code $SLUICE_KAFKA_PASSWORD} (never
 * the URI); {@code tls=true} with an optional {@code trust-store=PATH} (PEM, or PKCS12 with
 * {@code trust-store-password-env=VAR}). Any {@code kafka.NAME=VALUE} passes the client
 * property {@code NAME} through. Payloads become text as UTF-8; results are written as UTF-8.
 *
 * <p>Stateless and thread-safe. Bad parameters throw {@link IllegalArgumentException} with
 * one line naming the option and the problem.
 */
final class KafkaUris {

  /** The variable that holds the SASL password when no file or variable is named. */
  static final String PASSWORD_VARIABLE = "SLUICE_KAFKA_PASSWORD";

  private static final Set<String> SECURITY = Set.of("sasl", "user", "password-file",
      "password-env", "tls", "trust-store", "trust-store-password-env");
  private static final Set<String> SOURCE = Set.of("group", "client-id", "auto-offset-reset",
      "commit-interval", "buffer", "pattern");

  private KafkaUris() {
  }

  static OpenedSource source(String uri, String rest, UriContext context) {
    Parts parts = Parts.of("--source", uri, rest, SOURCE);
    KafkaSource.Builder builder = KafkaSource.builder().bootstrapServers(parts.servers);
    try {
      if (parts.params.has("pattern")) {
        builder.topicPattern(Pattern.compile(parts.params.string("pattern", "")));
      } else if (!parts.path.isEmpty()) {
        builder.topics(parts.path.split(","));
      }
      if (parts.params.has("group")) {
        builder.group(parts.params.string("group", ""));
      }
      if (parts.params.has("client-id")) {
        builder.clientId(parts.params.string("client-id", ""));
      }
      builder.autoOffsetReset(parts.params.string("auto-offset-reset", "earliest"));
      if (parts.params.has("commit-interval")) {
        builder.commitInterval(parts.params.duration("commit-interval", null));
      }
      if (parts.params.has("buffer")) {
        builder.bufferSize((int) parts.params.longValue("buffer", 512, 1));
      }
      builder.security(security(parts, context));
      parts.passThrough.forEach(builder::property);
      KafkaSource source = builder.build();
      String topics = parts.params.has("pattern")
          ? "topics matching " + parts.params.string("pattern", "") : parts.path;
      source.assigned().thenRun(() -> context.notices().accept("sluice run: consuming "
          + topics + " from " + parts.servers + " as " + source.clientId() + " in group "
          + parts.params.string("group", "")));
      return new OpenedSource(TextSource.utf8(source, source.assigned(),
          "the Kafka brokers " + parts.servers), () -> true, source, source.assigned());
    } catch (PatternSyntaxException e) {
      throw parts.problem("pattern is not a regular expression: " + e.getDescription());
    } catch (IllegalArgumentException e) {
      throw parts.problem(e.getMessage());
    }
  }

  static Sink<Object> sink(String option, String uri, String rest, UriContext context) {
    Parts parts = Parts.of(option, uri, rest, Set.of());
    if (parts.path.isEmpty()) {
      throw parts.problem("name the topic: kafka://HOST:PORT/TOPIC ({topic} and {key} are "
          + "filled from the source message)");
    }
    try {
      KafkaSink.Builder builder = KafkaSink.builder().bootstrapServers(parts.servers)
          .topic(parts.path).security(security(parts, context));
      parts.passThrough.forEach(builder::property);
      return builder.build(result -> String.valueOf(result).getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw parts.problem(e.getMessage());
    } catch (org.apache.kafka.common.KafkaException e) {
      throw parts.problem("cannot create the producer: " + e.getMessage());
    }
  }

  private static KafkaSecurity security(Parts parts, UriContext context) {
    UriParams p = parts.params;
    KafkaSecurity.Builder security = KafkaSecurity.builder();
    if (p.has("sasl")) {
      if (!p.has("user")) {
        throw new IllegalArgumentException("sasl needs user=NAME");
      }
      security.sasl(p.string("sasl", ""), p.string("user", ""), password(p, context));
    } else if (p.has("user")) {
      throw new IllegalArgumentException("user needs sasl=PLAIN, SCRAM-SHA-256 or "
          + "SCRAM-SHA-512");
    }
    String tls = p.string("tls", "false");
    if (!tls.equals("true") && !tls.equals("false")) {
      throw p.bad("tls", tls, "true or false");
    }
    if (p.has("trust-store") && tls.equals("false")) {
      throw new IllegalArgumentException("trust-store needs tls=true");
    }
    if (tls.equals("true")) {
      if (p.has("trust-store-password-env")) {
        security.tls(Path.of(p.string("trust-store", "")),
            KafkaSecurity.secretFromEnv(p.string("trust-store-password-env", "")));
      } else if (p.has("trust-store")) {
        security.tls(Path.of(p.string("trust-store", "")));
      } else {
        security.tls();
      }
    }
    return security.build();
  }

  private static String password(UriParams p, UriContext context) {
    if (p.has("password-file")) {
      return KafkaSecurity.secretFromFile(Path.of(p.string("password-file", "")));
    }
    if (p.has("password-env")) {
      return KafkaSecurity.secretFromEnv(p.string("password-env", ""));
    }
    if (context.passwordFile() != null) {
      return KafkaSecurity.secretFromFile(context.passwordFile());
    }
    String value = System.getenv(PASSWORD_VARIABLE);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("sasl needs a password: password-file=PATH, "
          + "password-env=VAR, --password-file FILE or $" + PASSWORD_VARIABLE);
    }
    return value;
  }

  /** A kafka:// URI taken apart: servers, path, known parameters, kafka.* pass-through. */
  private static final class Parts {
    final String option;
    final String uri;
    final String servers;
    final String path;
    final UriParams params;
    final Map<String, String> passThrough = new LinkedHashMap<>();

    private Parts(String option, String uri, String servers, String path, UriParams params) {
      this.option = option;
      this.uri = uri;
      this.servers = servers;
      this.path = path;
      this.params = params;
    }

    static Parts of(String option, String uri, String rest, Set<String> own) {
      if (!rest.startsWith("//")) {
        throw new IllegalArgumentException(option + " '" + Redaction.uri(uri)
            + "': write kafka://HOST:PORT/TOPIC");
      }
      String body = rest.substring(2);
      int q = body.indexOf('?');
      String query = q < 0 ? null : body.substring(q + 1);
      String location = q < 0 ? body : body.substring(0, q);
      int slash = location.indexOf('/');
      String servers = slash < 0 ? location : location.substring(0, slash);
      String path = slash < 0 ? "" : location.substring(slash + 1);
      if (servers.isEmpty() || servers.contains("@")) {
        throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': "
            + (servers.isEmpty() ? "name a broker, kafka://HOST:PORT/TOPIC"
                : "give the user as user=NAME and the password in a file or variable"));
      }
      UriParams all = UriParams.parse(uri, query);
      Set<String> allowed = new HashSet<>(SECURITY);
      allowed.addAll(own);
      Parts parts = new Parts(option, uri, servers, path, all);
      for (String name : queryNames(query)) {
        if (name.startsWith("kafka.") && name.length() > 6) {
          if (name.contains("password") || name.contains("jaas")) {
            throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': "
                + "secrets never go in a URI; use sasl, user and password-file or password-env");
          }
          parts.passThrough.put(name.substring(6), all.string(name, ""));
          allowed.add(name);
        }
      }
      try {
        all.allowOnly(allowed);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(option + " " + e.getMessage());
      }
      return parts;
    }

    private static List<String> queryNames(String query) {
      if (query == null || query.isEmpty()) {
        return List.of();
      }
      return java.util.Arrays.stream(query.split("&"))
          .map(pair -> pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair)
          .toList();
    }

    IllegalArgumentException problem(String message) {
      return new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': " + message);
    }
  }
}
