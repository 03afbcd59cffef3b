package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code sluice demo --via kafka}, in process, against the KRaft broker it starts itself. */
@Timeout(180)   // broker start (≤ 30 s), group join and a short run: a hang fails here
@Tag("broker")
class DemoViaKafkaTest {

  private static final int EVENTS = 5;

  private static int onlyLine(List<String> lines, String regex) {
    Pattern p = Pattern.compile(regex);
    List<Integer> at = IntStream.range(0, lines.size())
        .filter(i -> p.matcher(lines.get(i)).matches()).boxed().toList();
    assertThat(at).as("lines matching %s", regex).hasSize(1);
    return at.get(0);
  }

  @Test
  void eachEventIsProducedThenStartedThenFinishedOnce() {
    CommandRun run = CommandRun.of("demo", "--via", "kafka", "--interval", "100ms",
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
    assertThat(lines).anyMatch(l -> l.startsWith(EVENTS + " events in "));
    assertThat(lines.get(lines.size() - 1))
        .startsWith("via Kafka: embedded KRaft broker on 127.0.0.1:")
        .contains("topic demo-events, group sluice-demo: 5 produced and acknowledged "
            + "(acks=all), 5 received");
  }
}
