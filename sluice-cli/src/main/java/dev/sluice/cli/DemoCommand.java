package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.PipelineBuilder;
import dev.sluice.Processor;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.Stats;
import dev.sluice.Tap;
import dev.sluice.Timeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code sluice demo}: the founding article's run. Ten events arrive one second apart, each
 * takes five seconds of work, five workers share them; every step is printed as it happens,
 * then a summary compares the wall time with the ideal and tells how many workers the load
 * needs.
 *
 * <p><b>Threads.</b> "Submitted" lines come from the source's thread (labelled {@code main},
 * as in the article), "Starting"/"Finished" lines from the worker that runs the event. Every
 * line goes through one {@link Lines} printer, so lines never interleave. With {@code --quiet}
 * no per-event work is done beyond the event itself.
 *
 * <p><b>{@code --via mqtt}.</b> The same run through an embedded MQTT broker
 * ({@link MqttDemo}): the command's thread publishes each event's index on the schedule, once
 * the MQTT source is subscribed (the clock starts then), printing "Submitted" just before each
 * publish; the source completes after the last event, and each is acked after processing. A
 * broker that does not start within 30 s is one line on stderr and exit 1.
 *
 * <p><b>{@code --via kafka}.</b> The same through an in-process KRaft broker
 * ({@link KafkaDemo}): events are produced to a one-partition topic and consumed by a
 * consumer group member that commits each offset once the event is processed.
 *
 * <p><b>{@code --via sqs}.</b> The same through an embedded ElasticMQ server ({@link SqsDemo}):
 * events are sent to a standard queue and received by an SQS source that deletes each message
 * once its event is processed. With {@code --consumers N} the pipeline is not in this process:
 * N competing {@code sluice run} processes share the queue ({@link SqsConsumersDemo}), the
 * article's other way to scale.
 *
 * <p><b>Shutdown.</b> Ctrl-C or SIGTERM drains: the source stops, events already running
 * finish (for up to the work time plus a second), and the summary is printed.
 */
@Command(name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCommand.Version.class,
    sortOptions = false,
    description = {
        "Replays the founding article's run: events arrive at a steady pace, each needs "
            + "heavy work, and a bounded pool of workers keeps level with them.",
        "With no options: 10 events 1 s apart, 5 s of work each, 5 workers; all done about "
            + "15 s after start."},
    footer = {"",
        "Durations: 250us, 500ms, 1.5s, 5s, 1m, 0, or ISO-8601 (PT5S).",
        "Exit codes: 0 done, 1 the run failed, 2 bad command line."})
final class DemoCommand implements Callable<Integer> {

  private static final long NOT_YET = Long.MIN_VALUE;
  /** The most {@code --consumers}: each is a JVM of its own. */
  static final int MAX_CONSUMERS = 32;

  /** With {@code --timeline}: records the run; set before it starts, then only read. */
  private Timeline timeline;

  /** Set by the shutdown hook: publish no more events. */
  private volatile boolean stopping;

  /** Where CPU-burning work leaves its result, so the JIT cannot drop the work. */
  private static volatile long burnt;

  /** The demo's payload; prints as {@code Event[index=1]}. */
  record Event(long index) {
  }

  /** How results are ordered; {@code keyed} groups events by {@code index % workers}. */
  enum OrderingOption {
    UNORDERED, ORDERED, KEYED;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Reads {@code --ordering} in any case, naming the choices when it is none of them. */
  static final class OrderingConverter implements ITypeConverter<OrderingOption> {
    @Override
    public OrderingOption convert(String value) {
      for (OrderingOption o : OrderingOption.values()) {
        if (o.name().equalsIgnoreCase(value.trim())) {
          return o;
        }
      }
      throw new TypeConversionException(
          "expected unordered, ordered or keyed but was '" + value + "'");
    }
  }

  /** The {@code --ordering} choices, as the help lists them. */
  static final class OrderingCandidates implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(OrderingOption.values()).map(OrderingOption::toString).iterator();
    }
  }

  /** How the events reach the pipeline. */
  enum ViaOption {
    MEMORY, MQTT, KAFKA, SQS;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Reads {@code --via} in any case, naming the choices when it is none of them. */
  static final class ViaConverter implements ITypeConverter<ViaOption> {
    @Override
    public ViaOption convert(String value) {
      for (ViaOption v : ViaOption.values()) {
        if (v.name().equalsIgnoreCase(value.trim())) {
          return v;
        }
      }
      throw new TypeConversionException("expected memory, mqtt, kafka or sqs but was '"
          + value + "'");
    }
  }

  /** The {@code --via} choices, as the help lists them. */
  static final class ViaCandidates implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(ViaOption.values()).map(ViaOption::toString).iterator();
    }
  }

  @ParentCommand
  private SluiceCommand parent;

  @Spec
  private CommandSpec spec;

  @Option(names = "--events", paramLabel = "N", defaultValue = "10",
      description = "How many events the source emits (default: ${DEFAULT-VALUE}).")
  private long events;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Time between events; the i-th is due i × interval after start "
          + "(default: ${DEFAULT-VALUE}).")
  private Duration interval;

  @Option(names = "--work", paramLabel = "DURATION", defaultValue = "5s",
      converter = DurationConverter.class,
      description = "Work per event (default: ${DEFAULT-VALUE}).")
  private Duration work;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "5",
      description = "Worker threads (default: ${DEFAULT-VALUE}).")
  private int workers;

  @Option(names = "--ordering", paramLabel = "MODE", defaultValue = "unordered",
      converter = OrderingConverter.class, completionCandidates = OrderingCandidates.class,
      description = "${COMPLETION-CANDIDATES}: results as they complete, in arrival order, "
          + "or in order per key (key = index %% workers) (default: ${DEFAULT-VALUE}).")
  private OrderingOption ordering;

  @Option(names = "--via", paramLabel = "TRANSPORT", defaultValue = "memory",
      converter = ViaConverter.class, completionCandidates = ViaCandidates.class,
      description = "${COMPLETION-CANDIDATES}: events handed over in memory, or published "
          + "to an embedded MQTT broker on 127.0.0.1 (HiveMQ CE, QoS 1) and consumed through "
          + "the MQTT source, each acked after processing, or produced to an embedded Kafka "
          + "broker and consumed in a consumer group, each offset committed after processing, "
          + "or sent to an embedded SQS server (ElasticMQ) and received from its queue, each "
          + "message deleted after processing (default: ${DEFAULT-VALUE}).")
  private ViaOption via;

  @Option(names = "--consumers", paramLabel = "N",
      description = "With --via sqs: run N competing consumer processes (each a sluice run "
          + "with --workers threads) on the queue instead of one pipeline in this process; "
          + "compare --consumers 5 --workers 1 with --consumers 1 --workers 5.")
  private Integer consumers;

  @Option(names = "--timeline", paramLabel = "FILE",
      description = "Write the run's timeline to FILE: one self-contained HTML page, a lane "
          + "per worker, a bar per event's work, arrivals on top, in flight and busy beneath.")
  private Path timelineFile;

  @Option(names = "--cpu",
      description = "Burn CPU for the work time instead of sleeping.")
  private boolean cpu;

  @Option(names = "--quiet",
      description = "Print only the summary.")
  private boolean quiet;

  @Override
  public Integer call() throws InterruptedException {
    if (events < 0) {
      throw new ParameterException(spec.commandLine(),
          "--events must be >= 0 but was " + events);
    }
    if (via != ViaOption.MEMORY && events == 0) {
      throw new ParameterException(spec.commandLine(),
          "--via " + via + " needs --events >= 1 but was 0");
    }
    if (consumers != null) {
      checkConsumers();
    }
    if (timelineFile != null) {
      Path dir = timelineFile.toAbsolutePath().getParent();
      if (dir == null || !Files.isDirectory(dir)) {
        throw new ParameterException(spec.commandLine(), "--timeline " + timelineFile
            + ": the directory " + dir + " does not exist");
      }
      timeline = Timeline.create();
    }
    Lines lines = new Lines(parent.out());
    AtomicLong subscribedNanos = new AtomicLong(NOT_YET);
    AtomicLong sourceDoneNanos = new AtomicLong(NOT_YET);
    Runnable sourceDone = () -> {
      sourceDoneNanos.set(System.nanoTime());
      if (!quiet) {
        lines.print("main: Source finished, draining...");
      }
    };
    if (consumers != null) {
      return viaConsumers(lines);
    }
    if (via != ViaOption.MEMORY) {
      return viaBroker(lines, subscribedNanos, sourceDoneNanos, sourceDone);
    }
    long startNanos = System.nanoTime();
    LongFunction<Event> factory = quiet ? Event::new : i -> submitted(lines, new Event(i));
    Pipeline pipeline = start(timed(Sources.generate(events, interval, factory),
        subscribedNanos, sourceDone), null, lines);
    try (Hook hook = new Hook(pipeline, lines)) {
      Stats stats = pipeline.awaitCompletion();
      report(lines, startNanos, subscribedNanos.get(), sourceDoneNanos.get(), stats);
    }
    return writeTimeline(lines);
  }

  /** {@code --consumers}: only with {@code --via sqs}, at least one, and what it supports. */
  private void checkConsumers() {
    if (via != ViaOption.SQS) {
      throw new ParameterException(spec.commandLine(), "--consumers needs --via sqs (competing "
          + "consumer processes on one queue), but --via is " + via);
    }
    if (consumers < 1 || consumers > MAX_CONSUMERS) {
      throw new ParameterException(spec.commandLine(), "--consumers must be between 1 and "
          + MAX_CONSUMERS + " (each is a JVM) but was " + consumers);
    }
    if (workers < 1) {
      throw new ParameterException(spec.commandLine(),
          "--workers must be >= 1 but was " + workers);
    }
    if (ordering != OrderingOption.UNORDERED) {
      throw new ParameterException(spec.commandLine(), "--consumers runs unordered: competing "
          + "consumers cannot keep an order across processes; drop --ordering " + ordering);
    }
    if (timelineFile != null) {
      throw new ParameterException(spec.commandLine(), "--timeline records a pipeline in this "
          + "process: drop --consumers, or drop --timeline");
    }
  }

  /** {@code --via sqs --consumers N}: N {@code sluice run} processes share the queue. */
  private int viaConsumers(Lines lines) throws InterruptedException {
    SqsConsumersDemo demo = new SqsConsumersDemo(new SqsConsumersDemo.Plan(events, interval,
        work, workers, consumers, cpu, quiet), lines, parent.err());
    try {
      return demo.run();
    } catch (DemoTransport.BrokerDidNotStart e) {
      parent.err().println("sluice demo: " + e.getMessage());
      return SluiceCommand.FAILED;
    } catch (NoClassDefFoundError e) {
      return needsFullJar();
    }
  }

  /** One line: the lean sluice.jar leaves the embedded brokers out. */
  private int needsFullJar() {
    parent.err().println("sluice demo: --via " + via + " needs the embedded broker, which "
        + "only sluice-full.jar carries: run ./sluice demo --via " + via + ", or "
        + "java -jar sluice-cli/target/sluice-full.jar demo --via " + via);
    return SluiceCommand.FAILED;
  }

  /** Writes {@code --timeline}'s page, if asked: OK, or FAILED after one line saying why. */
  private int writeTimeline(Lines lines) {
    if (timeline == null) {
      return SluiceCommand.OK;
    }
    String title = String.format(Locale.ROOT,
        "sluice demo: %d events %s apart, %s of work each, %d workers%s", events,
        DurationParser.format(interval), DurationParser.format(work), workers,
        via == ViaOption.MQTT ? ", via MQTT" : "");
    try {
      timeline.writeHtml(timelineFile, title);
    } catch (IOException | RuntimeException e) {
      parent.err().println("sluice demo: cannot write the timeline to " + timelineFile + ": "
          + e.getMessage());
      return SluiceCommand.FAILED;
    }
    lines.print("main: Timeline written to " + timelineFile);
    return SluiceCommand.OK;
  }

  /**
   * The run through an embedded broker (MQTT or Kafka): the pipeline starts on its source, the
   * events are published from this thread once it is subscribed (the clock starts then), and
   * the source completes after the last one.
   */
  private int viaBroker(Lines lines, AtomicLong subscribedNanos, AtomicLong sourceDoneNanos,
      Runnable sourceDone) throws InterruptedException {
    int maxInFlight = Math.max(4 * workers, 32);
    DemoTransport transport;
    try {
      transport = switch (via) {
        case KAFKA -> KafkaDemo.open(events);
        case SQS -> SqsDemo.open(events);
        default -> MqttDemo.open(events, maxInFlight);
      };
    } catch (DemoTransport.BrokerDidNotStart e) {
      parent.err().println("sluice demo: " + e.getMessage());
      return SluiceCommand.FAILED;
    } catch (NoClassDefFoundError e) {
      // the lean sluice.jar leaves the embedded brokers out; ./sluice picks sluice-full.jar
      return needsFullJar();
    }
    try (transport) {
      Pipeline pipeline = start(timed(transport.events(), subscribedNanos, sourceDone),
          maxInFlight, lines);
      try (Hook hook = new Hook(pipeline, lines)) {
        long startNanos;
        try {
          transport.awaitSubscribed();
          startNanos = System.nanoTime();
          subscribedNanos.set(startNanos);
          transport.publish(events, interval, startNanos,
              quiet ? i -> { } : i -> submitted(lines, new Event(i)), () -> stopping);
        } catch (RuntimeException | InterruptedException e) {
          pipeline.close();
          throw e;
        }
        Stats stats = pipeline.awaitCompletion();
        report(lines, startNanos, subscribedNanos.get(), sourceDoneNanos.get(), stats);
        lines.print(transport.summaryLine());
      }
    }
    return writeTimeline(lines);
  }

  /**
   * Starts the demo's pipeline on {@code source}: its workers, ordering and processor, and
   * {@code maxInFlight} unless null; watched by the timeline when there is one.
   */
  private Pipeline start(Flow.Publisher<Message<Event>> source, Integer maxInFlight,
      Lines lines) {
    Tap<Event> tap = timeline != null ? Tap.of(timeline) : Tap.of();
    PipelineBuilder<Event, Event> builder = Sluice.from(tap.source(source)).workers(workers);
    if (maxInFlight != null) {
      builder.maxInFlight(maxInFlight);
    }
    if (ordering == OrderingOption.ORDERED) {
      builder.ordering(Ordering.ORDERED);
    } else if (ordering == OrderingOption.KEYED) {
      int keys = workers;
      builder.orderByKey(m -> m.payload().index() % keys);
    }
    Duration workTime = work;
    boolean burn = cpu;
    Processor<Event, Event> processor = quiet
        ? event -> {
          work(workTime, burn);
          return event;
        }
        : event -> {
          String me = Thread.currentThread().getName();
          lines.print(me + ": Starting processing " + event);
          work(workTime, burn);
          lines.print(me + ": Finished processing " + event);
          return event;
        };
    return builder.processMessages(tap.processor(processor)).to(Sinks.discard()).start();
  }

  private void report(Lines lines, long startNanos, long subscribed, long sourceDone,
      Stats stats) {
    long endNanos = System.nanoTime();
    DemoReport report = new DemoReport(events, interval, work, workers,
        Duration.ofNanos(endNanos - startNanos),
        sourceDone == NOT_YET ? null : Duration.ofNanos(sourceDone - subscribed), stats);
    for (String line : report.lines()) {
      lines.print(line);
    }
  }

  /**
   * While open, Ctrl-C or SIGTERM stops the events and drains the pipeline; the hook then
   * waits (up to 2 s) for {@link #close()}, which comes after the summary is printed.
   */
  private final class Hook implements AutoCloseable {
    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread thread;

    Hook(Pipeline pipeline, Lines lines) {
      thread = new Thread(() -> drainOnSignal(pipeline, lines, reported), "sluice-shutdown");
      Runtime.getRuntime().addShutdownHook(thread);
    }

    @Override
    public void close() {
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(thread);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it drains, waits for the summary, and lets the JVM exit.
      }
    }
  }

  private static Event submitted(Lines lines, Event event) {
    lines.print("main: Submitted " + event);
    return event;
  }

  private void drainOnSignal(Pipeline pipeline, Lines lines, CountDownLatch reported) {
    stopping = true;
    lines.print("main: Interrupted, draining...");
    try {
      pipeline.drain(work.plusSeconds(1));
      reported.await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sleeps, or with {@code burn} spins on the CPU, for {@code time}. */
  static void work(Duration time, boolean burn) throws InterruptedException {
    long nanos = time.toNanos();
    if (nanos <= 0) {
      return;
    }
    if (!burn) {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return;
    }
    long deadline = System.nanoTime() + nanos;
    long x = deadline;
    do {
      for (int i = 0; i < 1_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;   // an LCG step: real ALU work
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("work interrupted");
      }
    } while (System.nanoTime() - deadline < 0);
    burnt = x;
  }

  /**
   * {@code source}, noting in {@code subscribed} when it is subscribed to (the moment its
   * clock starts) and running {@code completed} just before it signals completion.
   */
  private static <T> Flow.Publisher<T> timed(Flow.Publisher<T> source, AtomicLong subscribed,
      Runnable completed) {
    return subscriber -> {
      subscribed.set(System.nanoTime());
      source.subscribe(new Flow.Subscriber<T>() {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
          subscriber.onSubscribe(subscription);
        }

        @Override
        public void onNext(T item) {
          subscriber.onNext(item);
        }

        @Override
        public void onError(Throwable error) {
          subscriber.onError(error);
        }

        @Override
        public void onComplete() {
          completed.run();
          subscriber.onComplete();
        }
      });
    };
  }
}
