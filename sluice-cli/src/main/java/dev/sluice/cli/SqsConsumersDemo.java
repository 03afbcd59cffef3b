package dev.sluice.cli;

import dev.sluice.Capacity;
import dev.sluice.Stats;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code sluice demo --via sqs --consumers N}: the founding article's other way to scale, N
 * competing consumer processes on one queue. The demo starts the embedded queue
 * ({@link SqsDemoQueue}), then N child JVMs, each a plain {@code sluice run} on that queue with
 * {@code --workers W --max-in-flight W} and {@link DemoConsumerWork} as its processor, waits
 * until every one is receiving (so JVM start-up is not timed), and only then starts the clock
 * and sends the events on the article's schedule. SQS hands each message to one receiver; a
 * consumer asks for no more than it has free workers, so an event goes to a consumer that can
 * start it now. Each consumer deletes a message only after its result line is written.
 *
 * <p>The run ends when every event's result has come back; the consumers are then stopped with
 * SIGTERM (they drain and send their last deletes) and the summary gives the wall time against
 * the ideal, the load, the events each consumer did, the duplicates (an event done twice) and
 * what is left in the queue.
 *
 * <p><b>Threads.</b> {@link #run} runs on the command's thread; each consumer
 * ({@link DemoConsumerProcess}) has two daemon pump threads reading its stdout (results) and
 * stderr (start lines, its notices); they print through the one {@link Lines} and record
 * under {@link #lock}. A shutdown hook (Ctrl-C,
 * SIGTERM) stops the wait and lets {@link #run} stop the consumers and report.
 */
final class SqsConsumersDemo {

  /** What to run: the demo's options. */
  record Plan(long events, Duration interval, Duration work, int workers, int consumers,
      boolean cpu, boolean quiet) {

    int totalWorkers() {
      return workers * consumers;
    }
  }

  /** How long a consumer process may take to start and find the queue. */
  static final Duration CONSUMER_START = Duration.ofSeconds(120);
  /** How long a consumer may take to drain and exit after SIGTERM. */
  private static final Duration CONSUMER_STOP = Duration.ofSeconds(30);
  /** The notice {@code sluice run} prints when SIGTERM makes it drain. */
  private static final String DRAINING = "sluice run: SIGTERM: draining";

  private final Plan plan;
  private final Lines lines;
  private final PrintStream err;
  private final Object lock = new Object();
  /** Which consumers did each event, in the order the results came; guarded by lock. */
  private final Map<Long, List<Integer>> doneBy = new HashMap<>();
  /** Summed work time of each event's first result; guarded by lock. */
  private long serviceNanos;
  /** When the last event's first result came back; guarded by lock. */
  private long lastDoneNanos;
  /** Set by the shutdown hook; guarded by lock. */
  private boolean stopping;

  SqsConsumersDemo(Plan plan, Lines lines, PrintStream err) {
    this.plan = plan;
    this.lines = lines;
    this.err = err;
  }

  /**
   * Runs the demo and prints its summary.
   *
   * @return {@link SluiceCommand#OK}, or {@link SluiceCommand#FAILED} after one line on stderr
   * @throws DemoTransport.BrokerDidNotStart if the embedded server did not start
   */
  int run() throws InterruptedException, DemoTransport.BrokerDidNotStart {
    CountDownLatch reported = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      synchronized (lock) {
        stopping = true;
        lock.notifyAll();
      }
      lines.print("main: Interrupted, stopping the consumers...");
      try {
        reported.await(CONSUMER_STOP.toSeconds() + 5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sluice-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (SqsDemoQueue queue = SqsDemoQueue.open()) {
      return runOn(queue);
    } finally {
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running and has been told the report is out
      }
    }
  }

  private int runOn(SqsDemoQueue queue) throws InterruptedException {
    if (!plan.quiet) {
      lines.print(String.format(Locale.ROOT,
          "main: Starting %d consumer %s (sluice run, %d %s each) on queue %s",
          plan.consumers, plan.consumers == 1 ? "process" : "processes", plan.workers,
          plan.workers == 1 ? "worker" : "workers",
          SqsDemoQueue.QUEUE));
    }
    List<DemoConsumerProcess> consumers = new ArrayList<>();
    long startNanos;
    long sentNanos;
    try {
      for (int n = 1; n <= plan.consumers; n++) {
        consumers.add(DemoConsumerProcess.start(n, command(queue), SqsDemoQueue
            .credentialsEnvironment(), this::result, this::errLine));
      }
      for (DemoConsumerProcess c : consumers) {
        if (!c.awaitReceiving(CONSUMER_START)) {
          err.println("sluice demo: consumer-" + c.number + " " + (c.isAlive()
              ? "was not receiving within " + DurationParser.format(CONSUMER_START)
              : "exited with code " + c.exitValue() + " before it was receiving")
              + c.lastErr());
          return SluiceCommand.FAILED;
        }
        if (!plan.quiet) {
          lines.print("main: consumer-" + c.number + " (pid " + c.pid()
              + ") receiving from " + SqsDemoQueue.QUEUE);
        }
      }
      startNanos = System.nanoTime();
      queue.publish(plan.events, plan.interval, startNanos,
          plan.quiet ? i -> { } : i -> lines.print("main: Submitted " + new DemoCommand.Event(i)),
          this::isStopping);
      sentNanos = System.nanoTime();
      if (!plan.quiet) {
        lines.print("main: All events sent, waiting for the consumers...");
      }
      if (!awaitAllDone(consumers, sentNanos)) {
        return stoppedEarly(consumers, queue);
      }
    } finally {
      stop(consumers);
    }
    for (DemoConsumerProcess c : consumers) {
      if (c.exitCode() != 0) {
        err.println("sluice demo: consumer-" + c.number + " exited with code " + c.exitCode()
            + " after SIGTERM" + c.lastErr());
        return SluiceCommand.FAILED;
      }
    }
    report(queue, startNanos, sentNanos);
    return SluiceCommand.OK;
  }

  /** The consumers' command line: the JVM running this demo, on the same classpath. */
  private List<String> command(SqsDemoQueue queue) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-D" + DemoConsumerWork.WORK_PROPERTY + "=" + plan.work,
        "-D" + DemoConsumerWork.CPU_PROPERTY + "=" + plan.cpu));
    for (String logging : List.of("slf4j.provider", "slf4j.internal.verbosity")) {
      String value = System.getProperty(logging);      // as this JVM was given them, if at all
      if (value != null) {
        command.add("-D" + logging + "=" + value);
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        SluiceCommand.class.getName(), "run", "--quiet",
        "--source", queue.sourceUri(SqsDemo.WAIT),
        "--processor", DemoConsumerWork.class.getName(),
        "--workers", Integer.toString(plan.workers),
        "--max-in-flight", Integer.toString(plan.workers)));
    return command;
  }

  /** A result line from consumer {@code n}: {@code INDEX WORKER NANOS}. */
  private void result(int n, String line) {
    String[] words = line.split(" ");
    long index;
    long nanos;
    try {
      index = Long.parseLong(words[0]);
      nanos = Long.parseLong(words[2]);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      lines.print("consumer-" + n + ": " + line);
      return;
    }
    if (!plan.quiet) {
      lines.print("consumer-" + n + "/" + words[1] + ": Finished processing "
          + new DemoCommand.Event(index));
    }
    long now = System.nanoTime();
    synchronized (lock) {
      List<Integer> by = doneBy.computeIfAbsent(index, k -> new ArrayList<>());
      if (by.isEmpty()) {
        serviceNanos += nanos;
        lastDoneNanos = now;
      }
      by.add(n);
      lock.notifyAll();
    }
  }

  /** A stderr line from consumer {@code n}: an event's start, or something to pass on. */
  private void errLine(int n, String line) {
    if (line.startsWith(DemoConsumerWork.STARTED)) {
      String[] words = line.substring(DemoConsumerWork.STARTED.length()).split(" ");
      if (!plan.quiet && words.length == 2) {
        lines.print("consumer-" + n + "/" + words[1] + ": Starting processing Event[index="
            + words[0] + "]");
      }
    } else if (!line.startsWith(DRAINING)) {     // the demo's own SIGTERM, once all is done
      err.println("consumer-" + n + ": " + line);
    }
  }

  private boolean isStopping() {
    synchronized (lock) {
      return stopping;
    }
  }

  /**
   * Waits until every event has a result; false if stopped first, every consumer exited, or
   * the run took far longer than it can (a consumer that died holding messages delays them by
   * the visibility timeout).
   */
  private boolean awaitAllDone(List<DemoConsumerProcess> consumers, long sentNanos)
      throws InterruptedException {
    long rounds = (plan.events + plan.totalWorkers() - 1) / plan.totalWorkers();
    long deadline = sentNanos + plan.work.multipliedBy(2 * rounds).plus(SqsDemoQueue.VISIBILITY)
        .plusSeconds(30).toNanos();
    synchronized (lock) {
      while (doneBy.size() < plan.events && !stopping) {
        if (consumers.stream().noneMatch(c -> c.isAlive())) {
          return false;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
      }
      return doneBy.size() >= plan.events;
    }
  }

  /** SIGTERM to each consumer (they drain), then waits for each; SIGKILL after the bound. */
  private void stop(List<DemoConsumerProcess> consumers) throws InterruptedException {
    for (DemoConsumerProcess c : consumers) {
      c.terminate();
    }
    for (DemoConsumerProcess c : consumers) {
      c.awaitExit(CONSUMER_STOP);
    }
  }

  private int stoppedEarly(List<DemoConsumerProcess> consumers, SqsDemoQueue queue) {
    boolean interrupted = isStopping();
    synchronized (lock) {
      lines.print(String.format(Locale.ROOT, "stopped before every event was done: %d of %d "
          + "sent, %d done", queue.sent(), plan.events, doneBy.size()));
    }
    if (interrupted) {
      return SluiceCommand.OK;
    }
    err.println("sluice demo: " + (consumers.stream().noneMatch(c -> c.isAlive())
        ? "every consumer exited before the run was done" + consumers.get(0).lastErr()
        : "the consumers did not finish in time"));
    return SluiceCommand.FAILED;
  }

  private void report(SqsDemoQueue queue, long startNanos, long sentNanos) {
    long done;
    long results;
    Duration wall;
    Duration service;
    Map<Integer, Long> perConsumer = new HashMap<>();
    List<String> twice = new ArrayList<>();
    synchronized (lock) {
      done = doneBy.size();
      results = doneBy.values().stream().mapToLong(List::size).sum();
      wall = Duration.ofNanos(lastDoneNanos - startNanos);
      service = Duration.ofNanos(serviceNanos);
      doneBy.forEach((index, by) -> {
        by.forEach(n -> perConsumer.merge(n, 1L, Long::sum));
        if (by.size() > 1) {
          twice.add(index + " by " + by.stream().map(n -> "consumer-" + n)
              .collect(Collectors.joining(" and ")));
        }
      });
    }
    int workers = plan.totalWorkers();
    Stats stats = new Stats(wall, done, done, 0, 0, 0, 0, 0, 0, 0, 0, workers, 0, 0,
        done == 0 ? Duration.ZERO : service.dividedBy(done), service, Duration.ZERO,
        Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, 1, false, Capacity.warmingUp(workers),
        0, 0);
    DemoReport summary = new DemoReport(plan.events, plan.interval, plan.work, workers, wall,
        Duration.ofNanos(sentNanos - startNanos), stats);
    summary.lines().forEach(lines::print);
    StringBuilder counts = new StringBuilder();
    for (int n = 1; n <= plan.consumers; n++) {
      counts.append(n == 1 ? "" : ", ").append("consumer-").append(n).append(' ')
          .append(perConsumer.getOrDefault(n, 0L)).append(n == 1 ? " events" : "");
    }
    lines.print(String.format(Locale.ROOT, "consumers: %d %s × %d %s: %s", plan.consumers,
        plan.consumers == 1 ? "process" : "processes", plan.workers,
        plan.workers == 1 ? "worker" : "workers", counts));
    long[] left = queue.left();
    lines.print(String.format(Locale.ROOT,
        "duplicates: %d (%d results for %d events)%s; left in the queue: %d waiting, "
            + "%d received and not deleted", results - done, results, done,
        twice.isEmpty() ? "" : ": " + String.join(", ", twice), left[0], left[1]));
    lines.print(String.format(Locale.ROOT, "via SQS: embedded ElasticMQ on %s, queue %s: %d "
        + "sent and accepted, %s, each message deleted only after its result was written",
        queue.endpoint(), SqsDemoQueue.QUEUE, queue.sent(), plan.consumers == 1
            ? "received by one sluice run process"
            : "shared by " + plan.consumers + " competing sluice run processes"));
  }
}
