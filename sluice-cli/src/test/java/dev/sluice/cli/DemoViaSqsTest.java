package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code sluice demo --via sqs} against the ElasticMQ server it starts itself: in process, and
 * with {@code --consumers N} as a real {@code sluice} process whose N consumers are real
 * {@code sluice run} processes competing for the queue.
 */
@Timeout(600)   // server start, up to four JVMs starting on a busy machine, short runs
@Tag("broker")
class DemoViaSqsTest {

  /** A demo's four JVMs can take minutes to start on a loaded machine: a generous bound. */
  private static final Duration DEMO_LIMIT = Duration.ofMinutes(4);

  @TempDir
  Path dir;

  private static int onlyLine(List<String> lines, String regex) {
    Pattern p = Pattern.compile(regex);
    List<Integer> at = IntStream.range(0, lines.size())
        .filter(i -> p.matcher(lines.get(i)).matches()).boxed().toList();
    assertThat(at).as("lines matching %s in %s", regex, lines).hasSize(1);
    return at.get(0);
  }

  private static String lineStarting(List<String> lines, String prefix) {
    return lines.get(onlyLine(lines, Pattern.quote(prefix) + ".*"));
  }

  @Test
  void inProcessEachEventIsSentThenStartedThenFinishedOnce() {
    CommandRun run = CommandRun.of("demo", "--via", "sqs", "--interval", "100ms",
        "--work", "300ms", "--events", "5", "--workers", "3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.outLines();
    for (int i = 1; i <= 5; i++) {
      String event = "Event\\[index=" + i + "]";
      int submitted = onlyLine(lines, "main: Submitted " + event);
      int started = onlyLine(lines, "sluice-worker-\\d+: Starting processing " + event);
      int finished = onlyLine(lines, "sluice-worker-\\d+: Finished processing " + event);
      assertThat(submitted).as("event %d submitted before it starts", i).isLessThan(started);
      assertThat(started).as("event %d started before it finishes", i).isLessThan(finished);
    }
    assertThat(lines).anyMatch(l -> l.startsWith("5 events in "));
    assertThat(lines.get(lines.size() - 1))
        .startsWith("via SQS: embedded ElasticMQ on http://127.0.0.1:")
        .endsWith("queue demo-events: 5 sent and accepted, 5 received, each deleted only "
            + "after its event was processed");
  }

  /**
   * Six events 100 ms apart, 1 s of work each, on three workers in all: as three consumer
   * processes of one worker, or one of three. A consumer asks only for what it can start, so
   * with one worker each the first three events go to three different consumers.
   */
  @ParameterizedTest(name = "--consumers {0} --workers {1}")
  @CsvSource({"3, 1", "1, 3"})
  void competingConsumerProcessesDoEveryEventExactlyOnce(int consumers, int workers) {
    SluiceProcess demo = SluiceProcess.start(dir, "demo", "--via", "sqs",
        "--consumers", "" + consumers, "--workers", "" + workers,
        "--events", "6", "--interval", "100ms", "--work", "1s");

    assertThat(demo.awaitExit(DEMO_LIMIT)).as(String.join("\n", demo.err())).isZero();
    List<String> lines = demo.out();
    onlyLine(lines, String.format(Locale.ROOT, "main: Starting %d consumer %s \\(sluice run, "
        + "%d %s each\\) on queue demo-events", consumers, consumers == 1 ? "process"
        : "processes", workers, workers == 1 ? "worker" : "workers"));
    int firstSubmitted = onlyLine(lines, "main: Submitted Event\\[index=1]");
    for (int c = 1; c <= consumers; c++) {
      assertThat(onlyLine(lines, "main: consumer-" + c + " \\(pid \\d+\\) receiving from "
          + "demo-events")).as("consumer %d receiving before the clock starts", c)
          .isLessThan(firstSubmitted);
    }
    String worker = "consumer-[1-" + consumers + "]/sluice-worker-[1-" + workers + "]";
    for (int i = 1; i <= 6; i++) {
      String event = "Event\\[index=" + i + "]";
      int submitted = onlyLine(lines, "main: Submitted " + event);
      int started = onlyLine(lines, worker + ": Starting processing " + event);
      int finished = onlyLine(lines, worker + ": Finished processing " + event);
      assertThat(submitted).as("event %d submitted before it starts", i).isLessThan(started);
      assertThat(started).as("event %d started before it finishes", i).isLessThan(finished);
    }

    assertThat(lineStarting(lines, "6 events in ")).matches("6 events in \\d+\\.\\d s = .*");
    Matcher wall = Pattern.compile("wall time (\\d+\\.\\d+) s, ideal 2\\.000 s \\(6 events × "
        + "1s of work on 3 workers\\): .*").matcher(lineStarting(lines, "wall time "));
    assertThat(wall.matches()).as(lineStarting(lines, "wall time ")).isTrue();
    assertThat(Double.parseDouble(wall.group(1))).as("no event can finish before 2 s")
        .isGreaterThanOrEqualTo(2.0);
    Matcher counts = Pattern.compile(String.format(Locale.ROOT,
        "consumers: %d %s × %d %s: (.*)", consumers, consumers == 1 ? "process" : "processes",
        workers, workers == 1 ? "worker" : "workers")).matcher(lineStarting(lines, "consumers: "));
    assertThat(counts.matches()).as(lineStarting(lines, "consumers: ")).isTrue();
    String[] each = counts.group(1).split(", ");
    assertThat(each).hasSize(consumers);
    long sum = 0;
    for (int c = 1; c <= consumers; c++) {
      Matcher m = Pattern.compile("consumer-" + c + " (\\d+)( events)?").matcher(each[c - 1]);
      assertThat(m.matches()).as(each[c - 1]).isTrue();
      long done = Long.parseLong(m.group(1));
      assertThat(done).as("events done by consumer-%d", c).isPositive();
      sum += done;
    }
    assertThat(sum).isEqualTo(6);
    assertThat(lineStarting(lines, "duplicates: ")).isEqualTo("duplicates: 0 (6 results for "
        + "6 events); left in the queue: 0 waiting, 0 received and not deleted");
    assertThat(lines.get(lines.size() - 1))
        .startsWith("via SQS: embedded ElasticMQ on http://127.0.0.1:")
        .endsWith("queue demo-events: 6 sent and accepted, " + (consumers == 1
            ? "received by one sluice run process" : "shared by " + consumers
            + " competing sluice run processes") + ", each message deleted only after its "
            + "result was written");
  }

  @Test
  void quietConsumersPrintOnlyTheSummary() {
    SluiceProcess demo = SluiceProcess.start(dir, "demo", "--via", "sqs", "--consumers", "2",
        "--workers", "1", "--events", "2", "--interval", "10ms", "--work", "100ms", "--quiet");

    assertThat(demo.awaitExit(DEMO_LIMIT)).as(String.join("\n", demo.err())).isZero();
    assertThat(demo.out()).first().asString().startsWith("2 events in ");
    assertThat(demo.out()).noneMatch(l -> l.startsWith("main: ") || l.contains("processing"))
        .contains("duplicates: 0 (2 results for 2 events); left in the queue: 0 waiting, "
            + "0 received and not deleted");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--consumers 2|--consumers needs --via sqs (competing consumer processes on one queue), "
          + "but --via is memory",
      "--via mqtt --consumers 2|--consumers needs --via sqs (competing consumer processes on "
          + "one queue), but --via is mqtt",
      "--via sqs --consumers 0|--consumers must be between 1 and 32 (each is a JVM) but was 0",
      "--via sqs --consumers 33|--consumers must be between 1 and 32 (each is a JVM) but was 33",
      "--via sqs --consumers 2 --workers 0|--workers must be >= 1 but was 0",
      "--via sqs --consumers 2 --ordering keyed|--consumers runs unordered: competing consumers "
          + "cannot keep an order across processes; drop --ordering keyed",
      "--via sqs --consumers 2 --timeline t.html|--timeline records a pipeline in this "
          + "process: drop --consumers, or drop --timeline",
      "--via sqs --consumers many|Invalid value for option '--consumers': 'many' is not an int",
      "--via sqs --events 0|--via sqs needs --events >= 1 but was 0"})
  void aBadCombinationIsOneLineAndExitCode2(String args, String message) {
    CommandRun run = CommandRun.of(("demo " + args).split(" "));

    assertThat(run.exitCode()).as(run.err()).isEqualTo(SluiceCommand.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).startsWith("sluice demo: ").contains(message);
  }
}
