package dev.sluice.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cli.SluiceCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ${VAR}} and {@code @env:VAR} in a pipeline file, with an environment of our own. */
class PipelineFileEnvironmentTest {

  @TempDir
  Path dir;

  private final CommandLine run = runCommand();

  /** The run subcommand as the command line has it, after its parent parsed, as in use. */
  private static CommandLine runCommand() {
    CommandLine root = SluiceCommand.commandLine(new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()));
    root.parseArgs("run");
    return root.getSubcommands().get("run");
  }

  private Object value(String option) {
    return run.getCommandSpec().findOption(option).getValue();
  }

  @Test
  void variablesAreExpandedWithDefaultsAndADoubledDollarIsLiteral() {
    Map<String, String> env = Map.of("HOST", "broker.local", "EMPTY", "");
    assertThat(Variables.expand("mqtt://${HOST}:1883/t", env))
        .isEqualTo("mqtt://broker.local:1883/t");
    assertThat(Variables.expand("${PORT:-1883}/${EMPTY}x", env)).isEqualTo("1883/x");
    assertThat(Variables.expand("price $${HOST} $5", env)).isEqualTo("price ${HOST} $5");
    assertThatThrownBy(() -> Variables.expand("${NOPE}", env))
        .hasMessage("environment variable NOPE is not set; set it, or write ${NOPE:-default}");
    assertThatThrownBy(() -> Variables.expand("${1BAD}", env))
        .hasMessageContaining("has a '${' that is not ${NAME} or ${NAME:-default}");
  }

  @Test
  void theFileTakesVariablesForPlainValuesAndReferencesForSecrets() throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), """
        source: ws://${FEED_HOST}/feed
        exec: cat
        workers: ${WORKERS:-2}
        sink-header:
          Authorization: '@env:SINK_TOKEN'
        exec-env:
          API_KEY: '@env:CHILD_KEY'
        """);
    ResolvedPipeline resolved = PipelineFile.apply(run, file, List.of("--sink", "ws://h/r"),
        Map.of("FEED_HOST", "feed.local:8080", "SINK_TOKEN", "Bearer t0k", "CHILD_KEY", "k3y"));

    assertThat(value("--source")).isEqualTo("ws://feed.local:8080/feed");
    assertThat(value("--workers")).isEqualTo(dev.sluice.Workers.fixed(2));
    // headers read their references themselves, when they connect; exec-env gets the value
    assertThat(value("--sink-header")).isEqualTo(List.of("Authorization=@env:SINK_TOKEN"));
    assertThat(value("--exec-env")).isEqualTo(List.of("API_KEY=k3y"));
    assertThat(String.join("\n", resolved.lines())).contains("'API_KEY=@env:CHILD_KEY'")
        .doesNotContain("k3y").doesNotContain("t0k");
  }

  @Test
  void aSecretGivenThroughAVariableIsRefusedWithTheReferenceToWriteInstead() throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), """
        exec: cat
        source: mqtt://${CREDENTIALS}@h/t
        """);
    assertThatThrownBy(() -> PipelineFile.apply(run, file, List.of(),
        Map.of("CREDENTIALS", "me:pw")))
        .isInstanceOf(PipelineFileException.class)
        .hasMessage(file + ":2:9: source: the URI from mqtt://${CREDENTIALS}@h/t carries a "
            + "password or token; secrets come only from references: write \"source: "
            + "'@env:VAR'\" instead");
  }

  @Test
  void everyOptionOfRunIsAKeyButHelpVersionAndTheFileItself() {
    List<String> keys = PipelineFile.keys(run.getCommandSpec());
    assertThat(keys).contains("source", "sink", "dead-letter", "exec", "processor", "workers",
        "ordering", "retries", "timeout", "partition", "partition-key", "metrics-port",
        "trust-store", "source-header", "quiet")
        .doesNotContain("help", "version", "config");
    assertThat(keys).hasSize(run.getCommandSpec().options().size() - 3);
  }
}
