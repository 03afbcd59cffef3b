package dev.sluice.cli;

import dev.sluice.DeadLetter;
import dev.sluice.DrainResult;
import dev.sluice.Message;
import dev.sluice.MessageProcessor;
import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.PipelineBuilder;
import dev.sluice.Sink;
import dev.sluice.Sinks;
import dev.sluice.Sizing;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import dev.sluice.Tap;
import dev.sluice.Timeline;
import dev.sluice.Workers;
import dev.sluice.cli.config.PipelineFile;
import dev.sluice.cli.exec.ChildEnvironment;
import dev.sluice.cli.exec.ChildSessions;
import dev.sluice.cli.exec.CommandWords;
import dev.sluice.cli.exec.ExecLimits;
import dev.sluice.cli.exec.ExecProcessor;
import dev.sluice.cli.exec.RetiringWorker;
import dev.sluice.cli.metrics.HealthMonitor;
import dev.sluice.cli.metrics.MetricsServer;
import dev.sluice.cli.metrics.SourceView;
import dev.sluice.cli.uri.OpenedSource;
import dev.sluice.cli.uri.Redaction;
import dev.sluice.cli.uri.SinkUris;
import dev.sluice.cli.uri.SourceUris;
import dev.sluice.cli.uri.UriContext;
import dev.sluice.cli.uri.WebSocketOptions;
import dev.sluice.spi.SourceBacklog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

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
        "URIs: - (stdin / stdout lines), file:PATH, generate:?count=N&interval=D, ws://, wss://, "
            + "mqtt://, mqtts://.",
        "Headers (--source-header, --sink-header): NAME=VALUE, NAME=@env:VAR or "
            + "NAME=@file:PATH; values never printed.",
        "Keys: key=line, key=topic, key=topic[N] (level N from 0), key=json:/pointer.",
        "Durations: 250us, 500ms, 1.5s, 5s, 1m, 0, or ISO-8601 (PT5S).",
        "Exit codes: 0 done (also after a drain on SIGTERM/SIGINT), 1 the run failed, "
            + "2 bad command line, 3 messages dead-lettered with --fail-on-dead-letter."})
final class RunCommand implements Callable<Integer> {

  @ParentCommand
  private SluiceCommand parent;

  @Mixin
  private RunOptions options;

  /** The pipeline's name: its workers are PIPELINE_NAME-worker-1, … */
  private static final String PIPELINE_NAME = "sluice";
  /** A worker waiting this long for its child's answer is named in the status and /health. */
  private static final Duration LONG_WAIT = Duration.ofSeconds(10);
  /** The pipeline once started: a retiring worker asks whether it still runs. */
  private volatile Pipeline started;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Read the options from this pipeline file (YAML, one key per option: "
          + "'workers: 4'); options given here win. 'sluice check -c FILE' checks it.")
  private java.nio.file.Path config;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (config != null) {
      // parse again, the file's options under the command line's (see PipelineFile)
      PipelineFile.apply(spec.commandLine(), config,
          spec.commandLine().getParseResult().expandedArgs(), System.getenv());
    }
    options.check();
    StatusLine status = new StatusLine(parent.err(), System.console() != null, options.quiet,
        options.logEvery);
    Function<Message<String>, Object> key = null;
    Ordering mode = options.orderingMode();
    if (mode == Ordering.BY_KEY) {
      key = KeyExpression.parse(options.ordering.strip().substring("key=".length()));
    }
    Function<? super Message<String>, ?> keyOf = key != null ? key : Message::key;
    AutoCloseable processorResources;
    MessageProcessor<String, ?> processor;
    ExecProcessor children = null;
    if (options.exec != null) {
      Map<String, String> env = ChildEnvironment.of(System.getenv(), options.execEnv);
      List<String> argv = CommandWords.split(options.exec);
      CommandWords.resolve(argv.get(0), env.get("PATH"));
      ExecLimits limits = new ExecLimits(options.timeout, options.execStartTimeout);
      ChildSessions sessions = ChildSessions.isolated(env.get("PATH"), status::line);
      ExecProcessor exec = new ExecProcessor(argv, env, options.execFormat, keyOf, status::line,
          status::line, limits, sessions, options.execPipeline);
      children = exec;
      processor = exec;
      processorResources = () -> {
        try {
          exec.close();
        } finally {
          sessions.close();
        }
      };
    } else {
      processor = ProcessorClasses.load(options.processorClass, options.classpath);
      processorResources = ProcessorClasses.closerOf(processor);
    }
    UriContext context = new UriContext(System.in, parent.out(),
        options.passwordFilePath(), options.clientTls(), WebSocketOptions.NONE, status::line,
        options.maxMessageSize);
    // Messages a source could not deliver (oversize, malformed) reach the pipeline as already
    // failed, so the pipeline alone writes (and counts) every dead letter.
    Sink<DeadLetter<String>> deadLetters = new DeadLetterLines(
        options.deadLetter != null ? SinkUris.open("--dead-letter", options.deadLetter,
            context.withWebSocket(options.deadLetterWebSocket()))
            : Sinks.callback(line -> status.line("sluice run: dead letter: " + line)));
    OpenedSource opened;
    Sink<Object> results;
    try {
      opened = SourceUris.open(options.source,
          context.withWebSocket(options.sourceWebSocket()));
      results = SinkUris.open("--sink", options.sink,
          context.withWebSocket(options.sinkWebSocket()));
    } catch (RuntimeException e) {
      closeQuietly(deadLetters::close, e);
      throw e;
    }
    ExecProcessor exec = children;
    Supplier<List<String>> waits = exec == null ? List::of : () -> exec.waits(LONG_WAIT);
    HealthMonitor health =
        new HealthMonitor(options.stallLimit(), System::nanoTime, opened.connected(), waits);
    MetricsServer metrics = null;
    if (options.metricsPort != null) {
      Flow.Publisher<?> publisher = opened.publisher();
      metrics = MetricsServer.start(options.metricsBind, options.metricsPort,
          options.pipelineName, health, new SourceView(opened.connected(), opened.state(),
              () -> SourceBacklog.of(publisher)));
    }
    Timeline timeline = options.timeline != null ? Timeline.create() : null;
    Tap<String> tap = Tap.of(tapListeners(metrics, timeline));
    Workers pool = options.workerPool();
    if (children != null && options.execPipeline > 1) {
      // --exec-pipeline N: N workers share each child, each with one line in flight
      pool = Workers.fixed(pool.min() * options.execPipeline);
    }
    MessageProcessor<String, Object> tapped = tap.messageProcessor(processor);
    PipelineBuilder<String, String> base = Sluice.from(tap.source(opened.publisher()))
        .name(PIPELINE_NAME)
        .workers(pool)
        .retry(options.retryPolicy())
        // an --exec child times its attempts itself, from when the line is written to it
        .timeout(children != null ? Duration.ZERO : options.timeout)
        .drainTimeout(options.drainTimeout);
    ExecProcessor retiring = pool.isAdaptive() ? children : null;
    PipelineBuilder<String, Object> builder = retiring == null ? base.processMessages(tapped)
        // a worker the pool retires takes its child with it
        : base.processPerWorker(() -> new RetiringWorker(tapped, retiring,
            () -> started != null && started.state() == Pipeline.State.RUNNING));
    if (options.maxInFlight != null) {
      builder.maxInFlight(options.maxInFlight);
    }
    if (key != null) {
      builder.orderByKey(key);
    } else {
      builder.ordering(mode);
    }
    builder.deadLetters(tap.deadLetters(deadLetters));
    if (options.partition != null) {
      builder.partition(options.partition.index(), options.partition.count(),
          PartitionOption.key(options.partitionKey, key));
    }
    int code;
    try {
      code = run(builder.to(results), status, health, metrics, exec, waits,
          processorResources, opened.closer(), opened.ready());
    } catch (Exception e) {
      if (timeline != null) {
        writeTimeline(timeline, status);   // the picture of a failed run helps most
      }
      throw e;
    }
    if (timeline != null && !writeTimeline(timeline, status) && code == SluiceCommand.OK) {
      return SluiceCommand.FAILED;   // the run went well but its timeline could not be written
    }
    return code;
  }

  /** What watches the pipeline: the metrics' histograms and dead letters, the timeline. */
  private static Tap.Listener[] tapListeners(MetricsServer metrics, Timeline timeline) {
    List<Tap.Listener> listeners = new java.util.ArrayList<>();
    if (metrics != null) {
      listeners.addAll(List.of(metrics.listeners()));
    }
    if (timeline != null) {
      listeners.add(timeline);
    }
    return listeners.toArray(Tap.Listener[]::new);
  }

  /** Writes {@code --timeline}'s page; false (after one line saying why) if it cannot. */
  private boolean writeTimeline(Timeline timeline, StatusLine status) {
    try {
      timeline.writeHtml(options.timeline, "sluice run: " + Redaction.uri(options.source)
          + " → " + (options.exec != null ? options.exec : options.processorClass));
      if (!options.quiet) {
        status.line("sluice run: timeline written to " + options.timeline);
      }
      return true;
    } catch (java.io.IOException | RuntimeException e) {
      status.line("sluice run: cannot write the timeline to " + options.timeline + ": " + e);
      return false;
    }
  }

  private int run(PipelineBuilder<String, Object> builder, StatusLine status,
      HealthMonitor health, MetricsServer metrics, ExecProcessor exec,
      Supplier<List<String>> waits, AutoCloseable processorResources,
      AutoCloseable sourceConnection, CompletionStage<Void> sourceReady) throws Exception {
    Pipeline pipeline = null;
    SignalDrain signals = null;
    try {
      int[] workers = {-1};       // the pool's size at the last report: the stats thread's
      builder.onStats(Duration.ofSeconds(1), stats -> {
        health.observe(stats);
        if (workers[0] >= 0 && stats.workers() != workers[0] && !options.quiet) {
          status.line("sluice run: workers " + workers[0] + " -> " + stats.workers() + " ("
              + stats.capacity().describe() + ")");
        }
        workers[0] = stats.workers();
        status.update(stats, waits.get());
      });
      signals = SignalDrain.install(options.drainTimeout, status::line,
          exec == null ? () -> { } : exec::drainStarted);
      if (exec != null) {
        exec.prestart(workerNames(options.workerPool().min()));
      }
      pipeline = builder.start();
      started = pipeline;
      signals.attach(pipeline);
      if (metrics != null) {
        metrics.serve(pipeline::stats);
        status.line("sluice run: metrics on http://" + options.metricsBind + ":"
            + metrics.port() + "/metrics");
        status.line("sluice run: live page on http://" + options.metricsBind + ":"
            + metrics.port() + "/");
      }
      if (!options.quiet && connected(sourceReady, pipeline)) {
        String work = options.exec != null ? "exec '" + options.exec + "'"
            : options.processorClass;
        status.line("sluice run: " + Redaction.uri(options.source) + " → " + work + " → "
            + Redaction.uri(options.sink));
      }
      Stats stats = pipeline.awaitCompletion();
      status.finish();
      if (exec != null && !options.quiet && exec.startUpSummary() != null) {
        status.line("sluice run: " + exec.startUpSummary() + ", not counted as --timeout");
      }
      if (options.planFromLive) {
        planFromLive(stats, status);
      }
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

  /**
   * Waits for the source's first connection, or for the run to end first (a drain, a failure);
   * false if the connection failed, which the pipeline then reports as the run's one failure
   * line (so no start line is printed before it).
   */
  private static boolean connected(CompletionStage<Void> sourceReady, Pipeline pipeline) {
    CompletableFuture<Void> ready = sourceReady.toCompletableFuture();
    try {
      CompletableFuture.anyOf(ready, pipeline.completion()).exceptionally(e -> null).get();
      return ready.isDone() && !ready.isCompletedExceptionally();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  /** The names the pipeline gives its worker threads ({@link PipelineBuilder#name}). */
  private static List<String> workerNames(int workers) {
    return java.util.stream.IntStream.rangeClosed(1, workers)
        .mapToObj(i -> PIPELINE_NAME + "-worker-" + i).toList();
  }

  private static void closeQuietly(AutoCloseable resource, Exception failure) {
    try {
      resource.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * {@code --plan-from-live}: {@code sluice plan}'s figures for the load this run measured:
   * arrivals over the whole run (taken as Poisson), the capacity model's mean attempt time (its
   * last 10 s), and the p99 for the variability.
   */
  private static void planFromLive(Stats stats, StatusLine status) {
    double seconds = stats.uptime().toNanos() / 1e9;
    // the model's mean: attempts only, an external worker's start-up left out
    double mean = stats.capacity().serviceTime() > 0 ? stats.capacity().serviceTime()
        : stats.meanService().toNanos() / 1e9;
    if (stats.received() == 0 || seconds <= 0 || mean <= 0) {
      status.line("sluice run: no plan from the live load: nothing was processed");
      return;
    }
    double rate = stats.received() / seconds;
    double p99 = Math.max(mean, stats.serviceP99().toNanos() / 1e9);
    double cs2 = Sizing.serviceVariability(mean, p99);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out = new java.io.PrintStream(bytes, true,
        java.nio.charset.StandardCharsets.UTF_8);
    PlanCommand.print(out, rate, mean, 1, cs2, String.format(java.util.Locale.ROOT,
        "measured by this run: %d arrivals in %.1f s (taken as Poisson); service time mean "
            + "%s, p99 %s (log-normal, cv² %.2f)", stats.received(), seconds,
        DemoReport.human(mean), DemoReport.human(p99), cs2), 0.8, null, null);
    String text = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    status.line("sluice run: plan from the live load:");
    text.lines().forEach(status::line);
  }

  private int outcome(Stats stats, int signalsReceived, DrainResult drain, StatusLine status) {
    if (!options.quiet) {
      status.line("sluice run: " + stats.summaryLine());
    }
    if (signalsReceived >= 2 && drain.abandoned() > 0) {
      status.line("sluice run: stopped at once: " + drain.abandoned()
          + " message(s) given up unprocessed");
      return SluiceCommand.FAILED;
    }
    if (stats.nacked() > 0 && drain.abandoned() < stats.nacked()) {
      status.line("sluice run: " + (stats.nacked() - drain.abandoned()) + " message(s) handed "
          + "back to the source for redelivery (their child was stopped from outside)");
    }
    long dead = stats.deadLettered();
    if (options.failOnDeadLetter && dead > 0) {
      status.line("sluice run: " + dead + " message(s) dead-lettered");
      return SluiceCommand.DEAD_LETTERS;
    }
    return SluiceCommand.OK;
  }
}
