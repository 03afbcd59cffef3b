package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The article's run at a tenth of its pace (events 100 ms apart, 500 ms of work, 5 workers),
 * in process, read back from what the command printed.
 */
@Timeout(60)   // a generous bound: a run that hangs fails here instead of stalling the build
class DemoCommandTest {

  private static final int EVENTS = 10;
  private static final int WORKERS = 5;
  private static final Pattern STEP =
      Pattern.compile("(\\S+): (Submitted|Starting processing|Finished processing) "
          + "Event\\[index=(\\d+)]");
  private static final Pattern WALL =
      Pattern.compile("wall time (\\d+\\.\\d{3}) s, ideal (\\d+\\.\\d{3}) s .*");

  /** One printed step: its line number, thread, kind and event index. */
  record Step(int line, String thread, String kind, int index) {
  }

  private static CommandRun scaledDownDemo(String ordering) {
    return CommandRun.of("demo", "--events", "" + EVENTS, "--interval", "100ms",
        "--work", "500ms", "--workers", "" + WORKERS, "--ordering", ordering);
  }

  private static List<Step> steps(List<String> lines) {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = STEP.matcher(lines.get(i));
      if (m.matches()) {
        steps.add(new Step(i, m.group(1), m.group(2), Integer.parseInt(m.group(3))));
      }
    }
    return steps;
  }

  private static Map<Integer, Step> only(List<Step> steps, String kind) {
    Map<Integer, Step> byIndex = new HashMap<>();
    for (Step s : steps) {
      if (s.kind().equals(kind)) {
        assertThat(byIndex.put(s.index(), s)).as("a second '%s' for event %d", kind, s.index())
            .isNull();
      }
    }
    assertThat(byIndex.keySet()).as(kind).containsExactlyInAnyOrder(
        IntStream.rangeClosed(1, EVENTS).boxed().toArray(Integer[]::new));
    return byIndex;
  }

  @ParameterizedTest(name = "--ordering {0}")
  @ValueSource(strings = {"unordered", "ordered", "keyed"})
  void eachEventIsSubmittedThenStartedThenFinishedOnceByOneWorker(String ordering) {
    CommandRun run = scaledDownDemo(ordering);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    List<String> lines = run.outLines();
    List<Step> steps = steps(lines);
    assertThat(steps).hasSize(3 * EVENTS);
    Map<Integer, Step> submitted = only(steps, "Submitted");
    Map<Integer, Step> started = only(steps, "Starting processing");
    Map<Integer, Step> finished = only(steps, "Finished processing");
    for (int i = 1; i <= EVENTS; i++) {
      assertThat(submitted.get(i).thread()).isEqualTo("main");
      assertThat(started.get(i).thread()).matches("sluice-worker-[1-5]")
          .isEqualTo(finished.get(i).thread());
      assertThat(submitted.get(i).line()).isLessThan(started.get(i).line());
      assertThat(started.get(i).line()).isLessThan(finished.get(i).line());
    }
    assertThat(steps.stream().filter(s -> s.kind().equals("Submitted")).map(Step::index))
        .as("submitted in index order").isSorted();
    int sourceFinished = lines.indexOf("main: Source finished, draining...");
    assertThat(sourceFinished).isGreaterThan(submitted.get(EVENTS).line());
    assertThat(lines.stream().filter(l -> l.contains("Source finished"))).hasSize(1);
  }

  @Test
  void neverMoreThanTheWorkerCountRunAtOnce() {
    // All ten arrive at once, so the five workers fill up before the first finishes.
    CommandRun run = CommandRun.of("demo", "--events", "" + EVENTS, "--interval", "0",
        "--work", "500ms", "--workers", "" + WORKERS);
    int running = 0;
    int most = 0;
    for (Step s : steps(run.outLines())) {
      running += s.kind().equals("Starting processing") ? 1
          : s.kind().equals("Finished processing") ? -1 : 0;
      most = Math.max(most, running);
    }
    assertThat(most).isEqualTo(WORKERS);
  }

  @Test
  void keyedRunsEventsOfOneKeyOneAtATimeInOrder() {
    List<Step> steps = steps(scaledDownDemo("keyed").outLines());
    Map<Integer, Step> started = only(steps, "Starting processing");
    Map<Integer, Step> finished = only(steps, "Finished processing");
    for (int i = 1; i + WORKERS <= EVENTS; i++) {
      assertThat(started.get(i + WORKERS).line()).as("event %d waits for %d", i + WORKERS, i)
          .isGreaterThan(finished.get(i).line());
    }
  }

  @Test
  void wallTimeIsAtLeastTheIdealAndNearIt() {
    CommandRun run = scaledDownDemo("unordered");

    String wallLine = run.outLines().stream().filter(l -> WALL.matcher(l).matches())
        .findFirst().orElseThrow(() -> new AssertionError("no wall time line in\n" + run.out()));
    Matcher m = WALL.matcher(wallLine);
    assertThat(m.matches()).isTrue();
    double wall = Double.parseDouble(m.group(1));
    double ideal = Double.parseDouble(m.group(2));
    assertThat(ideal).isEqualTo(1.5);   // last arrival 10 × 100 ms, plus 500 ms of work
    assertThat(wall).isGreaterThanOrEqualTo(ideal).isLessThan(ideal + 1.5);
    assertThat(run.outLines()).anyMatch(l -> l.matches(
        "10 events in \\d+\\.\\d s = \\d+\\.\\d+ events/s"));
    // a sleep that overshoots by a few ms makes the load 100.x%: the summary calls that "load"
    assertThat(run.outLines()).anyMatch(l -> l.matches(
        "(utilisation|load) \\d+% of 5 workers \\(.*\\), workers needed \\d+ .*"));
  }

  @Test
  void quietPrintsOnlyTheSummaryWithEventsPerSecond() {
    CommandRun run = CommandRun.of("demo", "--interval", "0", "--work", "0",
        "--events", "100000", "--quiet");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).doesNotContain("Event[", "Submitted", "Starting", "Finished");
    assertThat(run.outLines().get(0))
        .matches("100000 events in \\d+\\.\\d s = \\d{1,3}(,\\d{3})* events/s");
  }

  @Test
  void cpuWorkBurnsForTheWorkTime() throws Exception {
    long t0 = System.nanoTime();
    DemoCommand.work(Duration.ofMillis(50), true);
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(50_000_000L);
  }
}
