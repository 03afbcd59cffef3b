package dev.sluice.cli;

import dev.sluice.PipelineException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One consumer process of {@code sluice demo --via sqs --consumers N}: a child JVM running
 * {@code sluice run} on the demo's queue, and two daemon threads that read its stdout and
 * stderr line by line. The stderr thread notices the run's "receiving from SQS queue" notice
 * (the consumer is ready) and keeps the last other line, for a failure's message.
 *
 * <p><b>Threads.</b> The line callbacks run on the pump threads, one per stream. The other
 * methods are for the demo's thread; {@link #lastErr()} may be called from any thread.
 */
final class DemoConsumerProcess {

  /** Where a consumer's lines go: its number and the line. */
  @FunctionalInterface
  interface LineSink {
    void accept(int consumer, String line);
  }

  /** The notice {@code sluice run} prints once its SQS source has found the queue. */
  static final String RECEIVING = "sluice run: receiving from SQS queue ";

  /** Its number, from 1: the demo calls it consumer-N. */
  final int number;
  private final Process process;
  private final CountDownLatch receiving = new CountDownLatch(1);
  private volatile String lastErr;                             // written by the stderr pump
  private final List<Thread> pumps = new ArrayList<>();
  private int exitCode = -1;                                   // set by awaitExit

  private DemoConsumerProcess(int number, Process process) {
    this.number = number;
    this.process = process;
  }

  /**
   * Starts {@code command} with {@code environment} added to this process's own (and no
   * other AWS credentials or profile), its stdin closed, its stdout lines to {@code out} and
   * its other stderr lines to {@code err}.
   *
   * @throws PipelineException if the process could not start
   */
  static DemoConsumerProcess start(int number, List<String> command,
      Map<String, String> environment, LineSink out, LineSink err) {
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.remove("AWS_SESSION_TOKEN");
    env.remove("AWS_PROFILE");
    env.putAll(environment);
    Process process;
    try {
      process = builder.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new PipelineException("cannot start consumer-" + number + ": " + e.getMessage(), e);
    }
    DemoConsumerProcess c = new DemoConsumerProcess(number, process);
    c.pumps.add(pump("sluice-demo-consumer-" + number + "-out", process.getInputStream(),
        line -> out.accept(number, line), () -> { }));
    c.pumps.add(pump("sluice-demo-consumer-" + number + "-err", process.getErrorStream(),
        line -> {
          if (line.startsWith(RECEIVING)) {
            c.receiving.countDown();
            return;
          }
          c.lastErr = line;
          err.accept(number, line);
        }, c.receiving::countDown));
    return c;
  }

  /** True once the consumer said it is receiving; false if it exited or took too long. */
  boolean awaitReceiving(Duration timeout) throws InterruptedException {
    return receiving.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && process.isAlive();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** Its exit code; only once it has exited. */
  int exitValue() {
    return process.exitValue();
  }

  /** Sends SIGTERM: {@code sluice run} drains and sends its last deletes. */
  void terminate() {
    process.toHandle().destroy();
  }

  /**
   * Waits for the exit, SIGKILL after {@code timeout}, then for both streams to be read to
   * their end (so every result it printed has been seen).
   */
  void awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    exitCode = process.exitValue();
    for (Thread pump : pumps) {
      pump.join(TimeUnit.SECONDS.toMillis(5));
    }
  }

  /** The exit code {@link #awaitExit} saw, or -1 before. */
  int exitCode() {
    return exitCode;
  }

  /** Its last stderr line (other than the notice), as {@code ": LINE"}, or nothing. */
  String lastErr() {
    String line = lastErr;
    return line == null ? "" : ": " + line;
  }

  private static Thread pump(String name, InputStream in, Consumer<String> each,
      Runnable atEnd) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          each.accept(line);
        }
      } catch (IOException ended) {
        // the process is gone
      } finally {
        atEnd.run();
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
