package dev.sluice.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --exec-pipeline}: several workers share one real {@code /bin/sh} child with several
 * lines in flight, and every guarantee of a single line holds: answers matched in order, a
 * crash or a timeout blamed on the line the child was working on only, the lines behind it
 * written again to a new child without using an attempt, an extra line caught.
 */
@Timeout(60)
class ExecPipelineTest {

  private static final String CHILD = "sluice-worker-1";

  @TempDir
  Path dir;

  private final List<String> notices = new CopyOnWriteArrayList<>();
  private final Map<String, Object> outcomes = new ConcurrentHashMap<>();
  private final List<Thread> workers = new ArrayList<>();
  private ExecProcessor processor;

  @AfterEach
  void closeChildren() throws InterruptedException {
    for (Thread worker : workers) {
      worker.interrupt();
      worker.join(10_000);
    }
    if (processor != null) {
      processor.close();
    }
  }

  /** One child, {@code pipeline} lines in flight, written ahead without timing answers first. */
  private ExecProcessor start(String body, int pipeline, ExecLimits limits) throws IOException {
    Path script = dir.resolve("child.sh");
    Files.writeString(script, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    processor = new ExecProcessor(List.of(script.toString()),
        ChildEnvironment.of(System.getenv(), List.of("MARK=" + dir.resolve("mark"))),
        ExecFormat.LINE, Message::key, line -> { }, notices::add, limits,
        ChildSessions.shared(), pipeline);
    processor.writeAheadBelowNanos = Long.MAX_VALUE;
    processor.prestart(List.of(CHILD));
    return processor;
  }

  /** Runs {@code payload} on a worker thread of its own; its result or exception lands in outcomes. */
  private void submit(String payload) {
    Thread worker = new Thread(() -> {
      try {
        outcomes.put(payload, processor.process(Message.of(payload), 1));
      } catch (Throwable t) {
        outcomes.put(payload, t);
      }
    }, "sluice-worker-" + (workers.size() + 10));
    workers.add(worker);
    worker.start();
  }

  /**
   * Submits the payloads one after another, each once the one before has been written (it is
   * in flight, or already answered: a child may answer three lines before the next poll).
   */
  private void submitInOrder(String... payloads) {
    for (int i = 0; i < payloads.length; i++) {
      submit(payloads[i]);
      int written = i + 1;
      await().atMost(Duration.ofSeconds(10))
          .until(() -> processor.inFlight(CHILD) + outcomes.size() >= written);
    }
  }

  // The first child reads three lines before it answers any: only pipelining gets answers.
  private static final String BATCH_OF_THREE_FIRST = """
      if [ ! -e "$MARK" ]; then
        touch "$MARK"
        IFS= read -r a; IFS= read -r b; IFS= read -r c
        for l in "$a" "$b" "$c"; do
          if [ "$l" = crash ]; then exit 1; fi
          echo "$$ $l"
        done
      fi
      while IFS= read -r l; do echo "$$ $l"; done
      """;

  @Test
  void threeLinesInFlightToOneChildGetTheirOwnAnswers() throws Exception {
    start(BATCH_OF_THREE_FIRST, 3, ExecLimits.NONE);

    submitInOrder("a", "b", "c");

    await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 3);
    String pid = ((String) outcomes.get("a")).split(" ")[0];
    assertThat(outcomes).containsEntry("a", pid + " a").containsEntry("b", pid + " b")
        .containsEntry("c", pid + " c");
    assertThat(notices).isEmpty();
  }

  @Test
  void aCrashFailsTheLineTheChildWasOnAndTheLinesBehindItGoToANewChild() throws Exception {
    start(BATCH_OF_THREE_FIRST, 3, ExecLimits.NONE);

    submitInOrder("crash", "b", "c");

    await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 3);
    assertThat(outcomes.get("crash")).isInstanceOf(ExecException.ChildExited.class);
    String pid = ((String) outcomes.get("b")).split(" ")[0];
    assertThat(outcomes).containsEntry("b", pid + " b").containsEntry("c", pid + " c");
    assertThat(notices).singleElement().asString()
        .matches(CHILD + ": the child \\(pid \\d+\\) exited with code 1 before answering; a new "
            + "child takes the next attempt; 2 lines written after it go to the new child "
            + "without using one of their attempts");
  }

  @Test
  void aTimeoutIsBlamedOnTheSlowLineOnlyNotOnTheLinesWaitingBehindIt() throws Exception {
    start("""
        while IFS= read -r l; do
          if [ "$l" = slow ]; then sleep 31.5; fi
          echo "$$ $l"
        done
        """, 3, new ExecLimits(Duration.ofSeconds(1), Duration.ZERO));

    submitInOrder("slow", "b");

    await().atMost(Duration.ofSeconds(20)).until(() -> outcomes.size() == 2);
    assertThat(outcomes.get("slow")).isInstanceOf(ExecException.TimedOut.class);
    assertThat((String) outcomes.get("b")).endsWith(" b");
    assertThat(notices).singleElement().asString().startsWith(CHILD + ": killed its child")
        .contains("no answer to message 'slow'")
        .endsWith("1 line written after it go to the new child without using one of their "
            + "attempts");
  }

  @Test
  void anExtraLineIsCaughtWhenTheLaneSettlesAndTheNextMessageIsNotBlamed() throws Exception {
    start("""
        while IFS= read -r l; do echo "$$ $l"; if [ "$l" = a ]; then echo extra; fi; done
        """, 3, ExecLimits.NONE);
    String first = processor.process(Message.of("a"), 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> processor.unreadLines(CHILD) > 0);

    String second = processor.process(Message.of("b"), 1);

    assertThat(second).endsWith(" b").isNotEqualTo(first.split(" ")[0] + " b");
    assertThat(notices).singleElement().asString()
        .contains("a line nobody asked for: extra")
        .endsWith("a new child takes message 'b' without using one of its attempts");
  }

  @Test
  void anInterruptedWorkerKillsTheChildAndTheLinesOfOthersGoToANewChild() throws Exception {
    start("""
        while IFS= read -r l; do
          if [ "$l" = hang ] && [ ! -e "$MARK" ]; then touch "$MARK"; sleep 32.5; fi
          echo "$$ $l"
        done
        """, 3, ExecLimits.NONE);

    submitInOrder("hang", "b");
    workers.get(1).interrupt();     // the worker whose line waits behind the hanging one

    await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 2);
    assertThat(outcomes.get("b")).isInstanceOf(InterruptedException.class);
    assertThat((String) outcomes.get("hang")).endsWith(" hang");   // innocent: a new child
    assertThat(notices).singleElement().asString()
        .startsWith(CHILD + ": killed its child").contains("the run is stopping");
  }
}
