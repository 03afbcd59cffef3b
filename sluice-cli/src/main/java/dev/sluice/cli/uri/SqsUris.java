package dev.sluice.cli.uri;

import dev.sluice.Sink;
import dev.sluice.sqs.SqsEndpoint;
import dev.sluice.sqs.SqsSink;
import dev.sluice.sqs.SqsSource;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * {@code sqs:} sources and sinks (module sluice-sqs), in two forms:
 *
 * <ul>
 *   <li>{@code sqs://QUEUE?region=R&endpoint=URL&…}: a queue by name;</li>
 *   <li>{@code sqs:https://sqs.R.amazonaws.com/ACCOUNT/QUEUE?…}: a full queue URL, whose region
 *       is read from an AWS host, and whose scheme, host and port are the endpoint otherwise
 *       ({@code sqs:http://127.0.0.1:9324/000000000000/jobs} for ElasticMQ).</li>
 * </ul>
 *
 * <p>Source parameters: {@code wait} (long poll, 0–20 s, default 20s), {@code visibility}
 * (default: the queue's), {@code max-extension} (default 12h), {@code key-attribute} (default
 * {@code key}; FIFO queues use the group id), {@code stop-after} (count). Sink parameters:
 * {@code group-id} and {@code dedup-id} templates for FIFO queues ({@code {key}},
 * {@code {topic}}, {@code {message-id}}, {@code {header:NAME}}), {@code linger}.
 *
 * <p><b>Credentials</b> come only from the AWS SDK's default chain (environment, profile,
 * container or instance role); a URI with a key in it is refused.
 *
 * <p>Stateless and thread-safe.
 */
final class SqsUris {

  private static final Pattern AWS_HOST = Pattern.compile("sqs\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?");
  private static final Set<String> SOURCE = Set.of("region", "endpoint", "wait", "visibility",
      "max-extension", "key-attribute", "stop-after");
  private static final Set<String> SINK = Set.of("region", "endpoint", "group-id", "dedup-id",
      "linger");

  private SqsUris() {
  }

  /** A queue, where it is, and the URI's parameters. */
  private record Target(String queue, SqsEndpoint endpoint, UriParams params) { }

  static OpenedSource source(String uri, String rest, UriContext context) {
    Target t = target("--source", uri, rest, SOURCE);
    SqsSource source = usage("--source", uri, () -> {
      SqsSource.Builder b = SqsSource.builder().endpoint(t.endpoint).queue(t.queue)
          .waitTime(t.params.duration("wait", Duration.ofSeconds(20)))
          .maxExtension(t.params.duration("max-extension", Duration.ofHours(12)))
          .keyAttribute(t.params.string("key-attribute", "key"))
          .stopAfter(t.params.longValue("stop-after", Long.MAX_VALUE, 0));
      if (t.params.has("visibility")) {
        b.visibilityTimeout(t.params.duration("visibility", Duration.ofSeconds(30)));
      }
      return b.build();
    });
    source.ready().thenRun(() -> context.notices().accept("sluice run: receiving from SQS queue "
        + source.queueName() + " (" + t.endpoint + ")"));
    return new OpenedSource(source, source::connected, source, source.ready());
  }

  static Sink<Object> sink(String option, String uri, String rest, UriContext context) {
    Target t = target(option, uri, rest, SINK);
    return usage(option, uri, () -> {
      SqsSink.Builder<Object> b = SqsSink.builder().endpoint(t.endpoint).queue(t.queue)
          .linger(t.params.duration("linger", Duration.ofMillis(50)));
      if (t.params.has("group-id")) {
        b.groupId(t.params.string("group-id", ""));
      }
      if (t.params.has("dedup-id")) {
        b.deduplicationId(t.params.string("dedup-id", ""));
      }
      return b.build();
    });
  }

  private static Target target(String option, String uri, String rest, Set<String> known) {
    int q = rest.indexOf('?');
    String where = q < 0 ? rest : rest.substring(0, q);
    UriParams params = usage(option, uri, () -> UriParams.parse(uri, q < 0 ? null
        : rest.substring(q + 1)));
    for (String secret : new String[] {"access-key", "secret", "secret-key", "token",
        "session-token", "password"}) {
      if (params.has(secret)) {
        throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': no keys in"
            + " URIs: AWS credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID and"
            + " AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a container or instance role)");
      }
    }
    usage(option, uri, () -> params.allowOnly(known));
    SqsEndpoint.Builder endpoint = SqsEndpoint.builder();
    String queue;
    if (where.startsWith("//")) {
      queue = where.substring(2);
      if (queue.isEmpty() || queue.contains("/")) {
        throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': write"
            + " sqs://QUEUE?region=R or sqs:https://sqs.R.amazonaws.com/ACCOUNT/QUEUE");
      }
    } else if (where.startsWith("https://") || where.startsWith("http://")) {
      queue = where;
      URI url = URI.create(where);
      Matcher aws = AWS_HOST.matcher(url.getHost() == null ? "" : url.getHost()
          .toLowerCase(Locale.ROOT));
      if (aws.matches()) {
        if (!params.has("region")) {
          endpoint.region(aws.group(1));
        }
      } else if (!params.has("endpoint")) {
        endpoint.endpointOverride(URI.create(url.getScheme() + "://" + url.getRawAuthority()));
      }
    } else {
      throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': write"
          + " sqs://QUEUE?region=R or sqs:https://sqs.R.amazonaws.com/ACCOUNT/QUEUE");
    }
    usage(option, uri, () -> {
      if (params.has("region")) {
        endpoint.region(params.string("region", ""));
      }
      if (params.has("endpoint")) {
        endpoint.endpointOverride(URI.create(params.string("endpoint", "")));
      }
      return null;
    });
    return new Target(queue, usage(option, uri, endpoint::build), params);
  }

  /** Runs a builder step, turning its complaints into one line that names the option. */
  private static <T> T usage(String option, String uri, Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (message != null && message.startsWith("'" + Redaction.uri(uri) + "'")) {
        throw new IllegalArgumentException(option + " " + message);
      }
      throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': " + message);
    } catch (SdkClientException e) {
      String message = e.getMessage() != null && e.getMessage().contains("region")
          ? "no AWS region: add region=R to the URI or set AWS_REGION" : e.getMessage();
      throw new IllegalArgumentException(option + " '" + Redaction.uri(uri) + "': " + message);
    }
  }
}
