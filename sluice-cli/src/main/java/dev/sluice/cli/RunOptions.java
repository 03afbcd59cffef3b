package dev.sluice.cli;

import dev.sluice.Ordering;
import dev.sluice.RetryPolicy;
import dev.sluice.cli.tls.ClientTls;
import dev.sluice.cli.uri.Redaction;
import dev.sluice.cli.uri.WebSocketOptions;
import dev.sluice.cli.exec.ExecFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code sluice run} (a picocli mixin of {@link RunCommand}), with the checks
 * picocli cannot make and the settings derived from them. Each check throws
 * {@link IllegalArgumentException} with one line naming the option and its bad value.
 *
 * <p>Filled by picocli and then read on the command's thread only: not thread-safe.
 */
final class RunOptions {

  @Option(names = "--source", paramLabel = "URI", defaultValue = "-",
      description = "Where messages come from (default: ${DEFAULT-VALUE}, stdin lines).")
  String source;

  @Option(names = "--sink", paramLabel = "URI", defaultValue = "-",
      description = "Where results go (default: ${DEFAULT-VALUE}, stdout lines).")
  String sink;

  @Option(names = "--dead-letter", paramLabel = "URI",
      description = "Where messages out of attempts go, one JSON line each "
          + "(default: one line each on stderr).")
  String deadLetter;

  @Option(names = "--exec", paramLabel = "'CMD ARGS…'",
      description = "Run each message through a long-lived child process per worker; split "
          + "into words like a shell would, but no shell runs it.")
  String exec;

  @Option(names = "--exec-format", paramLabel = "line|json", defaultValue = "line",
      converter = ExecFormatConverter.class,
      description = "line: payload in, one line out (default). json: {\"payload\",\"key\","
          + "\"topic\",\"attempt\"} in, {\"result\":…} or {\"error\":\"…\"} out.")
  ExecFormat execFormat;

  @Option(names = "--exec-env", paramLabel = "NAME=VALUE",
      description = "Set a variable in the children's minimal environment (repeatable).")
  List<String> execEnv = new ArrayList<>();

  @Option(names = "--exec-start-timeout", paramLabel = "DURATION", defaultValue = "60s",
      converter = DurationConverter.class,
      description = "With --timeout: how long a fresh child may take to start, on top of "
          + "--timeout for its first answer (default: ${DEFAULT-VALUE}).")
  Duration execStartTimeout;

  @Option(names = "--exec-pipeline", paramLabel = "N", defaultValue = "1",
      description = "Lines each child may have in flight while its answers come back within "
          + "10 ms (default: ${DEFAULT-VALUE}); the pipeline runs --workers times N workers.")
  int execPipeline;

  @Option(names = "--processor", paramLabel = "CLASS",
      description = "Run each message through this Java class (a dev.sluice.Processor"
          + "<String, ?>) instead of a command.")
  String processorClass;

  @Option(names = "--classpath", paramLabel = "JARS",
      description = "Where --processor's class is: jars and directories, separated by "
          + "'${sys:path.separator}'.")
  String classpath;

  @Option(names = "--workers", paramLabel = "N|auto", converter = WorkersConverter.class,
      description = "Workers, each with its own child for --exec (default: CPU count); "
          + "auto grows and shrinks the pool with the load, from 1 to 4 per core "
          + "(auto=MIN..MAX to set the bounds).")
  dev.sluice.Workers workers;

  @Option(names = "--ordering", paramLabel = "MODE", defaultValue = "unordered",
      description = "unordered (default), ordered (results in arrival order) or key=EXPR "
          + "(one at a time per key, in order).")
  String ordering;

  @Option(names = "--partition", paramLabel = "I/N", converter = PartitionOption.Converter.class,
      description = "Process only instance I's share (I from 0) of N copies on one feed, by "
          + "--partition-key; acknowledge the rest unprocessed (counted as skipped).")
  dev.sluice.Partition partition;

  @Option(names = "--partition-key", paramLabel = "EXPR",
      description = "What --partition hashes: line, topic, topic[N] or json:/pointer "
          + "(default: the --ordering key, else the whole line).")
  String partitionKey;

  @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
      description = "Attempts after the first before a message is dead-lettered "
          + "(default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(names = "--backoff", paramLabel = "DURATION", defaultValue = "100ms",
      converter = DurationConverter.class,
      description = "Wait before the first retry, doubling for each next one, with jitter "
          + "(default: ${DEFAULT-VALUE}).")
  Duration backoff;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0",
      converter = DurationConverter.class,
      description = "Longest one attempt may run; then it fails and an --exec child is "
          + "killed and restarted; an --exec attempt is timed from when its line is written "
          + "to a started child (default: 0, no limit).")
  Duration timeout;

  @Option(names = "--max-in-flight", paramLabel = "N",
      description = "Most messages held between receipt and acknowledgement, fixed "
          + "(default: 4 per worker, at least 32, widening up to 1024 while work takes "
          + "microseconds).")
  Integer maxInFlight;

  @Option(names = "--max-message-size", paramLabel = "SIZE", defaultValue = "1MiB",
      converter = ByteSizeConverter.class,
      description = "Largest message a source takes: a line of - or file:, a ws:// message "
          + "(e.g. 65536, 512KiB, 4MiB; default: ${DEFAULT-VALUE}). A larger one, or a line "
          + "that is not UTF-8, is dead-lettered (attempts 0) and the rest flows.")
  int maxMessageSize;

  @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long a drain (end of input, SIGTERM) waits for work in flight "
          + "(default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(names = "--fail-on-dead-letter",
      description = "Exit with 3 when any message was dead-lettered.")
  boolean failOnDeadLetter;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve /metrics (Prometheus) and /health on this port (0: any free port).")
  Integer metricsPort;

  @Option(names = "--metrics-bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Address for --metrics-port (default: ${DEFAULT-VALUE}).")
  String metricsBind;

  @Option(names = "--pipeline-name", paramLabel = "NAME", defaultValue = "sluice",
      description = "The pipeline's name: the pipeline label of its metrics "
          + "(default: ${DEFAULT-VALUE}).")
  String pipelineName;

  @Option(names = "--timeline", paramLabel = "FILE",
      description = "When the run ends, write its timeline to FILE: one self-contained HTML "
          + "page, a lane per worker and a bar per attempt (the last 10,000 attempts).")
  Path timeline;

  @Option(names = "--stall-after", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "/health fails when messages are in flight and none settled for this "
          + "long, or the source is disconnected (or closed, or failed) that long "
          + "(default: twice --timeout, or 1m).")
  Duration stallAfter;

  @Option(names = "--log-every", paramLabel = "DURATION", defaultValue = "5s",
      converter = DurationConverter.class,
      description = "When stderr is not a terminal, a status line this often "
          + "(default: ${DEFAULT-VALUE}).")
  Duration logEvery;

  @Option(names = "--source-header", paramLabel = "NAME=VALUE",
      description = "A header for the ws:// or wss:// --source's handshakes (repeatable). "
          + "NAME=@env:VAR takes the value from a variable, NAME=@file:PATH from a file; "
          + "values are never printed.")
  List<String> sourceHeaders = new ArrayList<>();

  @Option(names = "--source-subscribe", paramLabel = "TEXT",
      description = "A message sent after each connect of the ws:// or wss:// --source, "
          + "e.g. a subscription.")
  String sourceSubscribe;

  @Option(names = "--sink-header", paramLabel = "NAME=VALUE",
      description = "A header for the ws:// or wss:// --sink's handshakes (repeatable; "
          + "@env:VAR and @file:PATH as for --source-header).")
  List<String> sinkHeaders = new ArrayList<>();

  @Option(names = "--sink-subscribe", paramLabel = "TEXT",
      description = "A message sent after each connect of the ws:// or wss:// --sink.")
  String sinkSubscribe;

  @Option(names = "--trust-store", paramLabel = "FILE",
      description = "For every TLS URI (mqtts://, wss://): trust the CA certificates in this "
          + "file (PEM such as ca.crt, PKCS12 or JKS) instead of the JDK's.")
  String trustStore;

  @Option(names = "--trust-store-password-file", paramLabel = "FILE",
      description = "--trust-store's password, read from this file (else "
          + "$SLUICE_TRUST_STORE_PASSWORD if set, else none); never printed.")
  String trustStorePasswordFile;

  @Option(names = "--key-store", paramLabel = "FILE",
      description = "For every TLS URI: present this client certificate (mutual TLS): a PEM "
          + "file with the certificate and its unencrypted key, or a PKCS12 store.")
  String keyStore;

  @Option(names = "--key-store-password-file", paramLabel = "FILE",
      description = "--key-store's password, read from this file (else "
          + "$SLUICE_KEY_STORE_PASSWORD if set, else none); never printed.")
  String keyStorePasswordFile;

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "Broker password, read from this file (else $SLUICE_MQTT_PASSWORD); "
          + "never printed.")
  String passwordFile;

  @Option(names = "--plan-from-live", description = "At the end, print what 'sluice plan' "
      + "says for the load this run measured: its arrival rate over the run, its mean attempt "
      + "time and p99; the workers needed and the waits for each pool size.")
  boolean planFromLive;

  @Option(names = "--quiet", description = "No status line and no summary.")
  boolean quiet;

  /** {@code --workers}, or as many as there are processors. */
  dev.sluice.Workers workerPool() {
    return workers != null ? workers
        : dev.sluice.Workers.fixed(Runtime.getRuntime().availableProcessors());
  }

  /** {@code --password-file} if given, checked readable; else null. */
  java.nio.file.Path passwordFilePath() {
    if (passwordFile == null) {
      return null;
    }
    java.nio.file.Path path = java.nio.file.Path.of(passwordFile);
    if (!java.nio.file.Files.isReadable(path)) {
      throw new IllegalArgumentException("--password-file " + passwordFile + " cannot be read");
    }
    return path;
  }

  /** Checks what picocli cannot: one line saying what is wrong. */
  void check() {
    if ((exec == null) == (processorClass == null)) {
      throw new IllegalArgumentException(exec == null
          ? "give the work to do: --exec 'CMD ARGS…' or --processor CLASS"
          : "give --exec or --processor, not both");
    }
    if (classpath != null && processorClass == null) {
      throw new IllegalArgumentException("--classpath goes with --processor");
    }
    if (execPipeline < 1 || execPipeline > 64) {
      throw new IllegalArgumentException("--exec-pipeline must be 1 to 64 but was "
          + execPipeline);
    }
    if (execPipeline != 1 && exec == null) {
      throw new IllegalArgumentException("--exec-pipeline goes with --exec");
    }
    if (execPipeline != 1 && workers != null && workers.isAdaptive()) {
      throw new IllegalArgumentException("--workers " + workers + " goes with --exec-pipeline 1 "
          + "only: children shared by several workers are not resized");
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--retries must be >= 0 but was " + retries);
    }
    if (maxInFlight != null && maxInFlight < 1) {
      throw new IllegalArgumentException("--max-in-flight must be >= 1 but was " + maxInFlight);
    }
    if (pipelineName.isBlank()) {
      throw new IllegalArgumentException("--pipeline-name must not be blank");
    }
    if (timeline != null) {
      Path dir = timeline.toAbsolutePath().getParent();
      if (dir == null || !java.nio.file.Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--timeline " + timeline + ": the directory "
            + dir + " does not exist");
      }
    }
    if (logEvery.isZero()) {
      throw new IllegalArgumentException("--log-every must be > 0");
    }
    PartitionOption.check(partition, partitionKey);
    checkWebSocket("--source", source, sourceHeaders, sourceSubscribe);
    checkWebSocket("--sink", sink, sinkHeaders, sinkSubscribe);
    for (String option : new String[] {"--trust-store", "--key-store"}) {
      String file = option.equals("--trust-store") ? trustStore : keyStore;
      if (file != null && !isTls(source) && !isTls(sink) && !isTls(deadLetter)) {
        throw new IllegalArgumentException(option + " " + file + " needs a TLS URI "
            + "(mqtts:// or wss://) as --source, --sink or --dead-letter");
      }
    }
    if (trustStorePasswordFile != null && trustStore == null) {
      throw new IllegalArgumentException("--trust-store-password-file goes with --trust-store");
    }
    if (keyStorePasswordFile != null && keyStore == null) {
      throw new IllegalArgumentException("--key-store-password-file goes with --key-store");
    }
  }

  /** Headers and a subscribe message only for a WebSocket side, headers well formed. */
  private static void checkWebSocket(String option, String uri, List<String> headers,
      String subscribe) {
    boolean ws = uri != null && (uri.startsWith("ws:") || uri.startsWith("wss:"));
    if (!ws && (!headers.isEmpty() || subscribe != null)) {
      throw new IllegalArgumentException(option + (headers.isEmpty() ? "-subscribe" : "-header")
          + " needs a ws:// or wss:// " + option + " but it is '" + Redaction.uri(uri) + "'");
    }
    for (String header : headers) {
      WebSocketOptions.check(option + "-header", header);
    }
  }

  private static boolean isTls(String uri) {
    return uri != null && (uri.startsWith("wss:") || uri.startsWith("mqtts:")
        || uri.startsWith("ssl:"));
  }

  /** What every TLS URI trusts and presents: {@code --trust-store}, {@code --key-store}. */
  ClientTls clientTls() {
    return ClientTls.load(path(trustStore), path(trustStorePasswordFile), path(keyStore),
        path(keyStorePasswordFile), System.getenv());
  }

  private static Path path(String file) {
    return file == null ? null : Path.of(file);
  }

  /**
   * What {@code --source-header} and {@code --source-subscribe} add to a ws:// source.
   */
  WebSocketOptions sourceWebSocket() {
    return new WebSocketOptions("--source", sourceHeaders, sourceSubscribe, null);
  }

  /** What {@code --sink-header} and {@code --sink-subscribe} add. */
  WebSocketOptions sinkWebSocket() {
    return new WebSocketOptions("--sink", sinkHeaders, sinkSubscribe, null);
  }

  /** A ws:// dead-letter sink gets nothing but the run's TLS settings. */
  WebSocketOptions deadLetterWebSocket() {
    return new WebSocketOptions("--dead-letter", List.of(), null, null);
  }

  /** The ordering mode {@code --ordering} names. */
  Ordering orderingMode() {
    String o = ordering.strip();
    if (o.equalsIgnoreCase("unordered")) {
      return Ordering.UNORDERED;
    }
    if (o.equalsIgnoreCase("ordered")) {
      return Ordering.ORDERED;
    }
    if (o.startsWith("key=")) {
      return Ordering.BY_KEY;
    }
    throw new IllegalArgumentException("--ordering must be unordered, ordered or key=EXPR but "
        + "was '" + ordering + "'");
  }

  /** {@code --retries} more attempts after {@code --backoff}, doubling up to 10 s. */
  RetryPolicy retryPolicy() {
    if (retries == 0) {
      return RetryPolicy.none();
    }
    Duration max = backoff.compareTo(Duration.ofSeconds(10)) > 0 ? backoff
        : Duration.ofSeconds(10);
    return RetryPolicy.builder().maxAttempts(retries + 1).backoff(backoff, max).build();
  }

  /** How long in-flight work may sit still before {@code /health} fails. */
  Duration stallLimit() {
    if (stallAfter != null) {
      return stallAfter;
    }
    return timeout.isZero() ? Duration.ofMinutes(1) : timeout.multipliedBy(2);
  }

  /** Reads {@code --exec-format}, naming the choices when it is neither. */
  static final class ExecFormatConverter
      implements picocli.CommandLine.ITypeConverter<ExecFormat> {
    @Override
    public ExecFormat convert(String value) {
      for (ExecFormat f : ExecFormat.values()) {
        if (f.name().equalsIgnoreCase(value.strip())) {
          return f;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "expected line or json but was '" + value + "'");
    }
  }
}
