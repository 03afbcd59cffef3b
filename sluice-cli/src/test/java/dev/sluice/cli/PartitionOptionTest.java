package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.metrics.MetricsTest;
import dev.sluice.cli.metrics.PrometheusMetrics;
import org.junit.jupiter.api.Test;

/** {@code --partition} and {@code --partition-key} mistakes, and the skipped count's metric. */
class PartitionOptionTest {

  @Test
  void aPartitionOutOfRangeIsOneLineNamingTheFormAndExitTwo() {
    CommandRun run = CommandRun.of("run", "--exec", "cat", "--partition", "3/3");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).singleElement().asString()
        .contains("'3/3': partition index must be from 0 to 2 but was 3");

    CommandRun words = CommandRun.of("run", "--exec", "cat", "--partition", "first");
    assertThat(words.exitCode()).isEqualTo(2);
    assertThat(words.errLines()).singleElement().asString()
        .contains("partition must be I/N, instance I of N counting from 0 (0/3, 1/3, 2/3)");
  }

  @Test
  void aPartitionKeyNeedsAPartitionAndAValidExpression() {
    CommandRun alone = CommandRun.of("run", "--exec", "cat", "--partition-key", "line");
    assertThat(alone.exitCode()).isEqualTo(2);
    assertThat(alone.errLines()).singleElement().asString()
        .startsWith("sluice run: --partition-key goes with --partition I/N.");

    CommandRun bad = CommandRun.of("run", "--exec", "cat", "--partition", "0/2",
        "--partition-key", "body");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.errLines()).singleElement().asString()
        .contains("--partition-key: bad key expression 'body': " + KeyExpression.FORMS);
  }

  @Test
  void theSkippedCountIsACounterInTheMetrics() {
    PrometheusMetrics metrics = new PrometheusMetrics("sluice");
    String text = new String(metrics.scrape(MetricsTest.stats(90, 7).withSkipped(210), true, "")
        .body(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text).contains("# TYPE sluice_messages_skipped_total counter\n",
        "\nsluice_messages_skipped_total{pipeline=\"sluice\"} 210.0\n");
    String none = new String(metrics.scrape(MetricsTest.stats(90, 7), true, "").body(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(none).contains("\nsluice_messages_skipped_total{pipeline=\"sluice\"} 0.0\n");
  }
}
