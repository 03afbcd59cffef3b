package dev.sluice.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Children in sessions of their own, and the reaper that ends their groups. Linux only. */
@Timeout(30)
class ChildSessionsTest {

  private final List<String> notices = new CopyOnWriteArrayList<>();

  /** The fields of /proc/PID/stat after the command name, or null once it has gone. */
  private static String[] stat(long pid) {
    try {
      String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return text.substring(text.lastIndexOf(')') + 2).split(" ");
    } catch (IOException gone) {
      return null;
    }
  }

  private static boolean running(long pid) {
    String[] stat = stat(pid);
    return stat != null && !stat[0].equals("Z");
  }

  @Test
  void aChildLeadsItsOwnSessionAndTheReaperEndsItsGroupWhenItsPipeEnds() throws Exception {
    ChildSessions sessions = ChildSessions.isolated(System.getenv("PATH"), notices::add);
    assertThat(sessions.isolates()).as("util-linux setsid is installed: %s", notices).isTrue();
    Process child = sessions.start(List.of("/bin/sh", "-c", "sleep 4343 & wait"),
        Map.of("PATH", "/usr/bin:/bin"));
    await().atMost(Duration.ofSeconds(10)).until(() -> child.descendants().count() == 1);
    long grandchild = child.descendants().findFirst().orElseThrow().pid();
    long session = Long.parseLong(stat(child.pid())[3]);
    assertThat(session).as("its own session").isEqualTo(child.pid());
    assertThat(Long.parseLong(stat(grandchild)[2])).as("the grandchild's group")
        .isEqualTo(child.pid());

    sessions.close();      // as when the JVM dies: the reaper's stdin ends

    await().atMost(Duration.ofSeconds(5)).until(() -> !running(grandchild)
        && !running(child.pid()));
    await().atMost(Duration.ofSeconds(5)).until(() -> !running(sessions.reaperPid()));
  }

  @Test
  void killGroupEndsTheChildAndEverythingInItsGroup() throws Exception {
    try (ChildSessions sessions = ChildSessions.isolated(System.getenv("PATH"), notices::add)) {
      Process child = sessions.start(List.of("/bin/sh", "-c", "sleep 4344 & sleep 4345"),
          Map.of("PATH", "/usr/bin:/bin"));
      await().atMost(Duration.ofSeconds(10)).until(() -> child.descendants().count() == 2);
      List<Long> all = child.descendants().map(ProcessHandle::pid).toList();

      sessions.killGroup(child.pid());

      await().atMost(Duration.ofSeconds(5)).until(() -> !running(child.pid())
          && all.stream().noneMatch(ChildSessionsTest::running));
      assertThat(running(sessions.reaperPid())).as("the reaper lives on").isTrue();
    }
  }
}
