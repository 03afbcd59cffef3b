package dev.sluice.cli;

import dev.sluice.DrainResult;
import dev.sluice.Message;
import dev.sluice.MessageProcessor;
import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.PipelineBuilder;
import dev.sluice.RetryPolicy;
import dev.sluice.Sink;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import dev.sluice.cli.exec.ChildEnvironment;
import dev.sluice.cli.exec.CommandWords;
import dev.sluice.cli.exec.ExecFormat;
import dev.sluice.cli.exec.ExecProcessor;
import dev.sluice.cli.metrics.HealthMonitor;
import dev.sluice.cli.metrics.MetricsServer;
import dev.sluice.cli.uri.OpenedSource;
import dev.sluice.cli.uri.Redaction;
import dev.sluice.cli.uri.SinkUris;
import dev.sluice.cli.uri.SourceUris;
import dev.sluice.cli.uri.UriContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Flow;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice run}: a source URI, a bounded pool of workers running an external command or
 * a Java class, a sink URI. The library's semantics, from a shell.
 *
 * <p><b>Threads.</b> {@link #call} runs on the command's thread: it checks everything that can
 * be checked before starting (one line and exit 2 for any mistake), starts the pipeline and
 * waits for it to end. Workers run the processor; the pipeline's timer thread feeds the status
 * line and the health monitor; signals arrive on the JVM's signal thread (see
 * {@link SignalDrain}); the metrics server has its own thread.
 *
 * <p><b>Exit codes.</b> 0: the source ended (or a signal drained the run) and everything was
 * settled; 1: the run failed (its source or sink broke, or a second signal stopped it);
 * 2: a bad command line; 3: with {@code --fail-on-dead-letter}, messages were dead-lettered.
 */
@Command(name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCommand.Version.class,
    sortOptions = false,
    description = {
        "Reads messages from a source, runs each through a bounded pool of workers (an "
            + "external command or a Java class) and writes the results to a sink.",
        "Example: seq 100 | sluice run --exec 'python3 score.py' --workers 4 --ordering ordered"},
    footer = {"",
        "URIs: - (stdin / stdout lines), file:PATH, generate:?count=N&interval=D, ws://, wss://.",
        "Keys: key=line, key=topic, key=topic[N] (level N from 0), key=json:/pointer.",
        "Durations: 250us, 500ms, 1.5s, 5s, 1m, 0, or ISO-8601 (PT5S).",
        "Exit codes: 0 done (also after a drain on SIGTERM/SIGINT), 1 the run failed, "
            + "2 bad command line, 3 messages dead-lettered with --fail-on-dead-letter."})
final class RunCommand implements Callable<Integer> {

  @ParentCommand
  private SluiceCommand parent;

  @Option(names = "--source", paramLabel = "URI", defaultValue = "-",
      description = "Where messages come from (default: ${DEFAULT-VALUE}, stdin lines).")
  private String source;

  @Option(names = "--sink", paramLabel = "URI", defaultValue = "-",
      description = "Where results go (default: ${DEFAULT-VALUE}, stdout lines).")
  private String sink;

  @Option(names = "--dead-letter", paramLabel = "URI",
      description = "Where messages out of attempts go, one JSON line each "
          + "(default: one line each on stderr).")
  private String deadLetter;

  @Option(names = "--exec", paramLabel = "'CMD ARGS…'",
      description = "Run each message through a long-lived child process per worker; split "
          + "into words like a shell would, but no shell runs it.")
  private String exec;

  @Option(names = "--exec-format", paramLabel = "line|json", defaultValue = "line",
      converter = ExecFormatConverter.class,
      description = "line: payload in, one line out (default). json: {\"payload\",\"key\","
          + "\"topic\",\"attempt\"} in, {\"result\":…} or {\"error\":\"…\"} out.")
  private ExecFormat execFormat;

  @Option(names = "--exec-env", paramLabel = "NAME=VALUE",
      description = "Set a variable in the children's minimal environment (repeatable).")
  private List<String> execEnv = new ArrayList<>();

  @Option(names = "--processor", paramLabel = "CLASS",
      description = "Run each message through this Java class (a dev.sluice.Processor"
          + "<String, ?>) instead of a command.")
  private String processorClass;

  @Option(names = "--classpath", paramLabel = "JARS",
      description = "Where --processor's class is: jars and directories, separated by '${sys:path.separator}'.")
  private String classpath;

  @Option(names = "--workers", paramLabel = "N",
      description = "Workers, each with its own child for --exec (default: CPU count).")
  private Integer workers;

  @Option(names = "--ordering", paramLabel = "MODE", defaultValue = "unordered",
      description = "unordered (default), ordered (results in arrival order) or key=EXPR "
          + "(one at a time per key, in order).")
  private String ordering;

  @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
      description = "Attempts after the first before a message is dead-lettered "
          + "(default: ${DEFAULT-VALUE}).")
  private int retries;

  @Option(names = "--backoff", paramLabel = "DURATION", defaultValue = "100ms",
      converter = DurationConverter.class,
      description = "Wait before the first retry, doubling for each next one, with jitter "
          + "(default: ${DEFAULT-VALUE}).")
  private Duration backoff;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0",
      converter = DurationConverter.class,
      description = "Longest one attempt may run; then it fails and an --exec child is "
          + "killed and restarted (default: 0, no limit).")
  private Duration timeout;

  @Option(names = "--max-in-flight", paramLabel = "N",
      description = "Most messages held between receipt and acknowledgement "
          + "(default: 4 per worker, at least 32).")
  private Integer maxInFlight;

  @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long a drain (end of input, SIGTERM) waits for work in flight "
          + "(default: ${DEFAULT-VALUE}).")
  private Duration drainTimeout;

  @Option(names = "--fail-on-dead-letter",
      description = "Exit with 3 when any message was dead-lettered.")
  private boolean failOnDeadLetter;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve /metrics (Prometheus) and /health on this port (0: any free port).")
  private Integer metricsPort;

  @Option(names = "--metrics-bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Address for --metrics-port (default: ${DEFAULT-VALUE}).")
  private String metricsBind;

  @Option(names = "--stall-after", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "/health fails when messages are in flight and none settled for this "
          + "long, or the source is disconnected that long (default: twice --timeout, or 1m).")
  private Duration stallAfter;

  @Option(names = "--log-every", paramLabel = "DURATION", defaultValue = "5s",
      converter = DurationConverter.class,
      description = "When stderr is not a terminal, a status line this often "
          + "(default: ${DEFAULT-VALUE}).")
  private Duration logEvery;

  @Option(names = "--ws-header", paramLabel = "NAME=VALUE",
      description = "A header for WebSocket handshakes (repeatable); values never printed.")
  private List<String> wsHeaders = new ArrayList<>();

  @Option(names = "--ws-subscribe", paramLabel = "TEXT",
      description = "A message sent after each WebSocket connect, e.g. a subscription.")
  private String wsSubscribe;

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "Broker password, read from this file (else $SLUICE_MQTT_PASSWORD); "
          + "never printed.")
  private String passwordFile;

  @Option(names = "--quiet", description = "No status line and no summary.")
  private boolean quiet;

  @Override
  public Integer call() throws Exception {
    checkNumbers();
    StatusLine status = new StatusLine(parent.err(), System.console() != null, quiet, logEvery);
    Function<Message<String>, Object> key = null;
    Ordering mode = parseOrdering();
    if (mode == Ordering.BY_KEY) {
      key = KeyExpression.parse(ordering.strip().substring("key=".length()));
    }
    Function<? super Message<String>, ?> keyOf = key != null ? key : Message::key;
    AutoCloseable processorResources;
    MessageProcessor<String, ?> processor;
    if (exec != null) {
      Map<String, String> env = ChildEnvironment.of(System.getenv(), execEnv);
      List<String> argv = CommandWords.split(exec);
      CommandWords.resolve(argv.get(0), env.get("PATH"));
      ExecProcessor children =
          new ExecProcessor(argv, env, execFormat, keyOf, status::line, status::line);
      processor = children;
      processorResources = children;
    } else {
      processor = ProcessorClasses.load(processorClass, classpath);
      processorResources = ProcessorClasses.closerOf(processor);
    }
    int workerCount = workers != null ? workers : Runtime.getRuntime().availableProcessors();
    UriContext context = new UriContext(System.in, parent.out(),
        passwordFile == null ? null : passwordFile(passwordFile), wsHeaders, wsSubscribe,
        maxInFlight != null ? maxInFlight : Math.max(4 * workerCount, 32), status::line);
    OpenedSource opened = SourceUris.open(source, context);
    Flow.Publisher<Message<String>> messages = opened.publisher();
    Sink<Object> results = SinkUris.open("--sink", sink, context);
    PipelineBuilder<String, Object> builder = Sluice.from(messages)
        .workers(workerCount)
        .retry(retryPolicy())
        .timeout(timeout)
        .drainTimeout(drainTimeout)
        .processMessages(processor);
    if (maxInFlight != null) {
      builder.maxInFlight(maxInFlight);
    }
    if (key != null) {
      builder.orderByKey(key);
    } else {
      builder.ordering(mode);
    }
    builder.deadLetters(new DeadLetterLines(deadLetter != null
        ? SinkUris.open("--dead-letter", deadLetter, context)
        : Sinks.callback(line -> status.line("sluice run: dead letter: " + line))));
    HealthMonitor health = new HealthMonitor(stallLimit(), System::nanoTime, opened.connected());
    MetricsServer metrics = null;
    if (metricsPort != null) {
      metrics = MetricsServer.start(metricsBind, metricsPort, health);
    }
    return run(builder.to(results), status, health, metrics, processorResources,
        opened.closer());
  }

  private static java.nio.file.Path passwordFile(String file) {
    java.nio.file.Path path = java.nio.file.Path.of(file);
    if (!java.nio.file.Files.isReadable(path)) {
      throw new IllegalArgumentException("--password-file " + file + " cannot be read");
    }
    return path;
  }

  private int run(PipelineBuilder<String, Object> builder, StatusLine status,
      HealthMonitor health, MetricsServer metrics, AutoCloseable processorResources,
      AutoCloseable sourceConnection) throws Exception {
    Pipeline pipeline = null;
    SignalDrain signals = null;
    try {
      builder.onStats(Duration.ofSeconds(1), stats -> {
        health.observe(stats);
        status.update(stats);
      });
      signals = SignalDrain.install(drainTimeout, status::line);
      pipeline = builder.start();
      signals.attach(pipeline);
      if (metrics != null) {
        metrics.serve(pipeline::stats);
        status.line("sluice run: metrics on http://" + metricsBind + ":" + metrics.port()
            + "/metrics");
      }
      if (!quiet) {
        status.line("sluice run: " + Redaction.uri(source) + " → "
            + (exec != null ? "exec '" + exec + "'" : processorClass) + " → "
            + Redaction.uri(sink));
      }
      Stats stats = pipeline.awaitCompletion();
      status.finish();
      return outcome(stats, signals.signalsReceived(), pipeline.drain(Duration.ZERO), status);
    } finally {
      status.finish();
      if (signals != null) {
        signals.close();
      }
      if (pipeline != null) {
        pipeline.close();
      }
      processorResources.close();
      if (metrics != null) {
        metrics.close();
      }
      sourceConnection.close();
    }
  }

  private int outcome(Stats stats, int signalsReceived, DrainResult drain, StatusLine status) {
    if (!quiet) {
      status.line("sluice run: " + stats.summaryLine());
    }
    if (signalsReceived >= 2 && drain.abandoned() > 0) {
      status.line("sluice run: stopped at once: " + drain.abandoned()
          + " message(s) given up unprocessed");
      return SluiceCommand.FAILED;
    }
    if (failOnDeadLetter && stats.deadLettered() > 0) {
      status.line("sluice run: " + stats.deadLettered() + " message(s) dead-lettered");
      return SluiceCommand.DEAD_LETTERS;
    }
    return SluiceCommand.OK;
  }

  private void checkNumbers() {
    if ((exec == null) == (processorClass == null)) {
      throw new IllegalArgumentException(exec == null
          ? "give the work to do: --exec 'CMD ARGS…' or --processor CLASS"
          : "give --exec or --processor, not both");
    }
    if (classpath != null && processorClass == null) {
      throw new IllegalArgumentException("--classpath goes with --processor");
    }
    if (workers != null && workers < 1) {
      throw new IllegalArgumentException("--workers must be >= 1 but was " + workers);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--retries must be >= 0 but was " + retries);
    }
    if (maxInFlight != null && maxInFlight < 1) {
      throw new IllegalArgumentException("--max-in-flight must be >= 1 but was " + maxInFlight);
    }
    if (logEvery.isZero()) {
      throw new IllegalArgumentException("--log-every must be > 0");
    }
  }

  private Ordering parseOrdering() {
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

  private RetryPolicy retryPolicy() {
    if (retries == 0) {
      return RetryPolicy.none();
    }
    Duration max = backoff.compareTo(Duration.ofSeconds(10)) > 0 ? backoff
        : Duration.ofSeconds(10);
    return RetryPolicy.builder().maxAttempts(retries + 1).backoff(backoff, max).build();
  }

  private Duration stallLimit() {
    if (stallAfter != null) {
      return stallAfter;
    }
    return timeout.isZero() ? Duration.ofMinutes(1) : timeout.multipliedBy(2);
  }

  /** Reads {@code --exec-format}, naming the choices when it is neither. */
  static final class ExecFormatConverter implements picocli.CommandLine.ITypeConverter<ExecFormat> {
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
