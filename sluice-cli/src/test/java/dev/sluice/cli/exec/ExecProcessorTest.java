package dev.sluice.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The exec processor in process, driving real {@code /bin/sh} children. */
@Timeout(30)
class ExecProcessorTest {

  @TempDir
  Path dir;

  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final List<String> notices = new CopyOnWriteArrayList<>();
  private ExecProcessor processor;

  @AfterEach
  void closeChildren() {
    if (processor != null) {
      processor.close();
    }
  }

  private ExecProcessor start(String body, ExecFormat format) throws IOException {
    Path script = dir.resolve("child.sh");
    Files.writeString(script, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    processor = new ExecProcessor(List.of(script.toString()),
        ChildEnvironment.of(System.getenv(), List.of("GREETING=hi")), format,
        Message::key, stderr::add, notices::add);
    return processor;
  }

  private static Message<String> message(String payload) {
    return Message.builder(payload).key("k").topic("t/1").build();
  }

  @Test
  void oneChildAnswersEveryMessageOfItsWorkerWithAMinimalEnvironment() throws Exception {
    ExecProcessor p = start("""
        while IFS= read -r line; do
          echo "$$ $line $GREETING ${SLUICE_MQTT_PASSWORD:-none} $SLUICE_WORKER"
        done
        """, ExecFormat.LINE);

    String first = p.process(message("a"), 1);
    String second = p.process(message("b"), 1);

    String pid = first.split(" ")[0];
    assertThat(first).isEqualTo(pid + " a hi none " + Thread.currentThread().getName());
    assertThat(second).startsWith(pid + " b ");
  }

  @Test
  void stderrLinesArePrefixedWithTheWorkersName() throws Exception {
    ExecProcessor p = start("""
        while IFS= read -r line; do echo "warning about $line" >&2; echo ok; done
        """, ExecFormat.LINE);

    p.process(message("x"), 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> !stderr.isEmpty());
    assertThat(stderr).containsExactly(Thread.currentThread().getName() + ": warning about x");
  }

  @Test
  void aChildThatWritesALineNobodyAskedForIsReplacedAndTheNextMessageIsNotBlamed()
      throws Exception {
    ExecProcessor p = start("""
        while IFS= read -r line; do echo "$$ $line"; echo extra; done
        """, ExecFormat.LINE);
    String first = p.process(message("a"), 1);
    Thread me = Thread.currentThread();
    await().atMost(Duration.ofSeconds(10)).until(() -> p.unreadLines(me) > 0);

    String second = p.process(message("b"), 1);

    assertThat(second).endsWith(" b").isNotEqualTo(first.split(" ")[0] + " b");
    assertThat(notices).singleElement().asString()
        .contains("a line nobody asked for: extra")
        .endsWith("a new child takes message 'b' without using one of its attempts");
  }

  @Test
  void anInterruptedWaitKillsTheChildAndTheNextMessageGetsANewOne() throws Exception {
    ExecProcessor p = start("""
        while IFS= read -r line; do
          if [ "$line" = hang ]; then sleep 33.5; fi
          echo "$$"
        done
        """, ExecFormat.LINE);
    String pid = p.process(message("a"), 1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread worker = new Thread(() -> {
      try {
        p.process(message("hang"), 1);
      } catch (Throwable t) {
        thrown.set(t);
      }
    }, "sluice-worker-9");
    worker.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.allProcesses()
        .anyMatch(h -> h.info().commandLine().orElse("").contains("sleep 33.5")));

    worker.interrupt();
    worker.join(10_000);

    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(notices).anyMatch(n -> n.startsWith("sluice-worker-9: killed its child"));
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.allProcesses()
        .noneMatch(h -> h.info().commandLine().orElse("").contains("sleep 33.5")));
    assertThat(p.process(message("b"), 1)).isEqualTo(pid);   // this worker's child lives on
  }

  @Test
  void aChildThatStopsReadingCannotTrapItsWorkerInALargeWrite() throws Exception {
    ExecProcessor p = start("""
        IFS= read -r first
        echo "ok"
        sleep 35.5
        """, ExecFormat.LINE);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
    Thread worker = new Thread(() -> {
      try {
        p.process(message("a"), 1);                     // the child reads this one ...
        answered.countDown();
        p.process(message("x".repeat(1 << 20)), 1);    // ... and no more: far over a pipe's size
      } catch (Throwable t) {
        thrown.set(t);
      }
    }, "sluice-worker-8");
    worker.start();
    assertThat(answered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> worker.getState() == Thread.State.WAITING);

    worker.interrupt();
    worker.join(10_000);

    assertThat(worker.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void jsonRepliesCarryResultsOrErrors() throws Exception {
    ExecProcessor p = start("""
        while IFS= read -r request; do
          case "$request" in
            *'"payload":"fail"'*) echo '{"error":"no good"}' ;;
            *'"payload":"none"'*) echo '{"result":null}' ;;
            *'"payload":"obj"'*) echo '{"result":{"n":1}}' ;;
            *'"payload":"bad"'*) echo 'not json' ;;
            *) printf '{"result":"got %s"}\\n' "$(echo "$request" | tr -d '"{}')" ;;
          esac
        done
        """, ExecFormat.JSON);

    assertThat(p.process(message("x"), 2)).isEqualTo("got payload:x,key:k,topic:t/1,attempt:2");
    assertThat(p.process(message("none"), 1)).isNull();
    assertThat(p.process(message("obj"), 1)).isEqualTo("{\"n\":1}");
    assertThatThrownBy(() -> p.process(message("fail"), 1))
        .isInstanceOf(ExecException.ErrorReply.class)
        .hasMessage("the child reported an error: no good");
    assertThatThrownBy(() -> p.process(message("bad"), 1))
        .isInstanceOf(ExecException.ProtocolBroken.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void lineModeRefusesAPayloadWithALineBreak() throws Exception {
    ExecProcessor p = start("cat\n", ExecFormat.LINE);

    assertThatThrownBy(() -> p.process(message("two\nlines"), 1))
        .hasMessageContaining("use --exec-format json");
  }

  @Test
  void closeEndsChildrenAndNoNewOneStartsAfterIt() throws Exception {
    ExecProcessor p = start("cat\n", ExecFormat.LINE);
    p.process(message("a"), 1);

    p.close();

    assertThatThrownBy(() -> p.process(message("b"), 1))
        .isInstanceOf(ExecException.StartFailed.class);
  }

  @Test
  void aRetiredWorkersChildEndsAndItsNextWorkerStartsAnother() throws Exception {
    ExecProcessor p = start("""
        while IFS= read -r line; do echo "$$ $line"; done
        """, ExecFormat.LINE);
    String worker = Thread.currentThread().getName();
    long first = Long.parseLong(p.process(message("a"), 1).split(" ")[0]);
    ProcessHandle child = ProcessHandle.of(first).orElseThrow();

    p.retire(worker);

    await().atMost(Duration.ofSeconds(10)).until(() -> !child.isAlive());
    assertThat(notices).anySatisfy(n -> assertThat(n)
        .isEqualTo(worker + ": retired with the worker, its child (pid " + first
            + ") is told to end"));
    long second = Long.parseLong(p.process(message("b"), 1).split(" ")[0]);
    assertThat(second).isNotEqualTo(first);
  }
}
