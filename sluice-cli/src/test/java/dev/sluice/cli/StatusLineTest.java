package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Stats;
import dev.sluice.cli.metrics.MetricsTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatusLineTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final Stats stats = MetricsTest.stats(90, 7);

  private String err() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void onATerminalTheStatusIsOneLineRedrawnInPlaceWithOtherLinesAboveIt() {
    StatusLine status = new StatusLine(err, true, false, Duration.ofSeconds(5));

    status.update(stats);
    status.update(stats);
    status.line("sluice-worker-1: hello");
    status.finish();

    String status1 = "sluice: " + stats.summaryLine();
    assertThat(err()).isEqualTo("\r\033[K" + status1 + "\r\033[K" + status1
        + "\r\033[K" + "sluice-worker-1: hello\n" + status1 + "\n");
  }

  @Test
  void elsewhereTheStatusIsAPlainLineAtMostEveryLogInterval() {
    StatusLine status = new StatusLine(err, false, false, Duration.ofHours(1));

    status.update(stats);
    status.line("a line");
    status.finish();

    assertThat(err()).isEqualTo("a line\n");
    StatusLine often = new StatusLine(err, false, false, Duration.ofNanos(1));
    often.update(stats);
    assertThat(err()).endsWith("sluice run: " + stats.summaryLine() + "\n").doesNotContain("\r");
  }

  @Test
  void quietShowsNoStatusButStillPrintsLines() {
    StatusLine status = new StatusLine(err, true, true, Duration.ofNanos(1));

    status.update(stats);
    status.line("dead letter");
    status.finish();

    assertThat(err()).isEqualTo("dead letter\n");
  }

  @Test
  void workersWaitingLongAreNamedAfterTheStatusLongestFirst() {
    StatusLine status = new StatusLine(err, false, false, Duration.ofNanos(1));

    status.update(stats, java.util.List.of("sluice-worker-2 waiting 37 s on message #14",
        "sluice-worker-1 waiting 12 s on message #15"));

    assertThat(err()).isEqualTo("sluice run: " + stats.summaryLine()
        + " · sluice-worker-2 waiting 37 s on message #14 (+1 more waiting)\n");
  }
}
