package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sluice demo --via mqtt}, in process, against the embedded broker (HiveMQ CE) it starts
 * itself, whether or not Mosquitto is installed.
 */
@Timeout(120)   // broker start (≤ 30 s) plus a short run: a hang fails here, not the build
@Tag("broker")
class DemoViaMqttTest {

  private static final int EVENTS = 5;

  private static int onlyLine(List<String> lines, String regex) {
    Pattern p = Pattern.compile(regex);
    List<Integer> at = IntStream.range(0, lines.size())
        .filter(i -> p.matcher(lines.get(i)).matches()).boxed().toList();
    assertThat(at).as("lines matching %s", regex).hasSize(1);
    return at.get(0);
  }

  private static Set<Thread> liveNonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon()).collect(Collectors.toSet());
  }

  @Test
  void eachEventIsPublishedThenStartedThenFinishedOnceAndNoBrokerThreadOutlivesTheRun() {
    Set<Thread> before = liveNonDaemonThreads();

    CommandRun run = CommandRun.of("demo", "--via", "mqtt", "--interval", "100ms",
        "--work", "300ms", "--events", "" + EVENTS, "--workers", "3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.outLines();
    for (int i = 1; i <= EVENTS; i++) {
      String event = "Event\\[index=" + i + "]";
      int submitted = onlyLine(lines, "main: Submitted " + event);
      int started = onlyLine(lines, "sluice-worker-\\d+: Starting processing " + event);
      int finished = onlyLine(lines, "sluice-worker-\\d+: Finished processing " + event);
      assertThat(submitted).as("event %d submitted before it starts", i).isLessThan(started);
      assertThat(started).as("event %d started before it finishes", i).isLessThan(finished);
    }
    assertThat(lines).anyMatch(l -> l.startsWith(EVENTS + " events in "))
        .anyMatch(l -> l.startsWith("wall time "))
        .anyMatch(l -> l.startsWith("workers busy "));
    assertThat(lines.get(lines.size() - 1))
        .startsWith("via MQTT: embedded HiveMQ CE broker on mqtt://127.0.0.1:")
        .contains("QoS 1: 5 published and confirmed, 5 received, 5 acked after processing, "
            + "0 left unacked");

    Set<Thread> left = liveNonDaemonThreads();
    left.removeAll(before);
    assertThat(left).as("non-daemon threads left behind (they would keep the JVM alive)")
        .isEmpty();
  }

  @Test
  void anUnknownTransportIsOneLineAndExitCode2() {
    CommandRun run = CommandRun.of("demo", "--via", "pigeon");

    assertThat(run.exitCode()).isEqualTo(SluiceCommand.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).contains("expected memory, mqtt, kafka or sqs but was 'pigeon'");
  }
}
