package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code sluice run} in process: options, Java processors, files and the generator. */
@Timeout(60)
class RunCommandTest {

  @TempDir
  Path dir;

  static Stream<Arguments> badCommandLines() {
    return Stream.of(
        Arguments.of(new String[] {"run"}, "give the work to do: --exec"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--processor", "X"}, "not both"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--classpath", "x.jar"},
            "--classpath goes with --processor"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--workers", "0"},
            "Invalid value for option '--workers': must be from 1 to 4096 but was 0"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--workers", "many"},
            "'many' is not an int or auto: write a number of workers (e.g. 4), auto, or "
                + "auto=MIN..MAX (e.g. auto=2..32)"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--retries", "-1"},
            "--retries must be >= 0 but was -1"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--max-in-flight", "0"},
            "--max-in-flight must be >= 1 but was 0"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--timeout", "5"}, "'5' has no unit"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--backoff", "soon"},
            "'soon' is not a duration"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--drain-timeout", "-1s"},
            "'-1s' is negative"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--ordering", "sorted"},
            "--ordering must be unordered, ordered or key=EXPR but was 'sorted'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--ordering", "key=payload"},
            "bad key expression 'payload'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--ordering", "key=json:x"},
            "must be empty or start with '/'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--exec-format", "xml"},
            "expected line or json but was 'xml'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--exec-env", "NOEQUALS"},
            "must be NAME=VALUE"),
        Arguments.of(new String[] {"run", "--exec", "'cat"}, "unclosed single quote"),
        Arguments.of(new String[] {"run", "--exec", "no-such-command-x1"},
            "command 'no-such-command-x1' not found on PATH"),
        Arguments.of(new String[] {"run", "--exec", "/"}, "'/' is not executable"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--source", "amqp://h/t"},
            "unknown scheme 'amqp'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--source", "kafka://h/t"},
            "--source 'kafka://h/t': group is required"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--source", "file:/no/such"},
            "cannot read /no/such"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--sink", "nowhere"},
            "--sink 'nowhere' has no scheme"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--dead-letter", "x:y"},
            "--dead-letter 'x:y' has an unknown scheme 'x'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--source", "generate:?count=ten"},
            "count must be a whole number but was 'ten'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--metrics-port", "70000"},
            "--metrics-port must be in 0..65535 but was 70000"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--metrics-port", "0",
            "--metrics-bind", "no.such.host.invalid"}, "is not a known address"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--log-every", "0"},
            "--log-every must be > 0"),
        Arguments.of(new String[] {"run", "--processor", "com.example.Missing"},
            "class com.example.Missing not found (give its jar or directory with --classpath)"),
        Arguments.of(new String[] {"run", "--processor", "java.lang.String"},
            "java.lang.String implements neither dev.sluice.Processor"),
        Arguments.of(new String[] {"run", "--processor", "X", "--classpath", "/no/such.jar"},
            "--classpath: /no/such.jar does not exist"),
        Arguments.of(new String[] {"run", "--exec"}, "Missing required parameter for option "
            + "'--exec'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--bogus"},
            "Unknown option: '--bogus'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--source-header", "A=b"},
            "--source-header needs a ws:// or wss:// --source but it is '-'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--source", "ws://h/x",
            "--sink-subscribe", "hi", "--sink", "file:out.txt"},
            "--sink-subscribe needs a ws:// or wss:// --sink but it is 'file:out.txt'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--sink", "mqtt://h/t?token=s3cr3t",
            "--sink-header", "A=b"},
            "--sink-header needs a ws:// or wss:// --sink but it is 'mqtt://h/t?token=***'"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--source", "ws://h/x",
            "--source-header", "s3cr3t-pasted-token"},
            "--source-header must be NAME=VALUE, NAME=@env:VAR or NAME=@file:PATH but has "
                + "no '='"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--sink", "ws://h/x",
            "--sink-header", "A=@env:"}, "--sink-header A=@env: names no variable"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--source", "ws://h/x",
            "--trust-store", "trust.p12"},
            "--trust-store trust.p12 needs a TLS URI (mqtts:// or wss://) as --source, --sink "
                + "or --dead-letter"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--trust-store-password-file", "pw"},
            "--trust-store-password-file goes with --trust-store"),
        Arguments.of(new String[] {"run", "--exec", "cat", "--ws-header", "A=b"},
            "Unknown options: '--ws-header', 'A=b'"));
  }

  @ParameterizedTest(name = "sluice {0}")
  @MethodSource("badCommandLines")
  void everyBadOptionExitsWith2AndOneLineOnStderrWithoutATrace(String[] args, String problem) {
    CommandRun run = CommandRun.of(args);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(SluiceCommand.USAGE);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).startsWith("sluice run: ").contains(problem)
        .contains("Run 'sluice run --help' for usage.")
        .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("s3cr3t");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aJavaProcessorOnTheTestClasspathRunsGeneratedMessagesIntoAFile() throws IOException {
    Path out = dir.resolve("out.txt");
    int closedBefore = dev.sluice.cli.testing.Shout.CLOSED.get();
    CommandRun run = CommandRun.of("run", "--source", "generate:?count=5",
        "--processor", "dev.sluice.cli.testing.Shout", "--sink", "file:" + out,
        "--ordering", "ordered", "--quiet");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readAllLines(out)).containsExactly("1!", "2!", "3!", "4!", "5!");
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEmpty();
    assertThat(dev.sluice.cli.testing.Shout.CLOSED.get()).as("closed at the end")
        .isEqualTo(closedBefore + 1);
  }

  @Test
  void aJavaProcessorIsLoadedFromClasspath() throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/demo"));
    Files.writeString(src.resolve("Reverse.java"), """
        package demo;
        public class Reverse implements dev.sluice.Processor<String, String> {
          public String process(String line) {
            return new StringBuilder(line).reverse().toString();
          }
        }
        """);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int compiled = javac.run(null, null, null, "-d", classes.toString(),
        "-cp", System.getProperty("java.class.path"), src.resolve("Reverse.java").toString());
    assertThat(compiled).isZero();
    Path in = Files.writeString(dir.resolve("in.txt"), "abc\nxyz\n");

    CommandRun run = CommandRun.of("run", "--source", "file:" + in, "--processor",
        "demo.Reverse", "--classpath", classes.toString(), "--ordering", "ordered", "--quiet");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).containsExactly("cba", "zyx");
  }

  @Test
  void deadLettersGoToTheirSinkAsJsonAndFailOnDeadLetterExitsWith3() throws IOException {
    Path in = Files.writeString(dir.resolve("in.txt"), "a\nboom\nb\n");
    Path dead = dir.resolve("dead.jsonl");

    CommandRun run = CommandRun.of("run", "--source", "file:" + in, "--processor",
        "dev.sluice.cli.testing.Shout", "--retries", "2", "--backoff", "1ms",
        "--dead-letter", "file:" + dead, "--fail-on-dead-letter");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(SluiceCommand.DEAD_LETTERS);
    assertThat(run.outLines()).containsExactlyInAnyOrder("A!", "B!");
    List<String> letters = Files.readAllLines(dead);
    assertThat(letters).hasSize(1);
    assertThat(Json.parse(letters.get(0))).isEqualTo(Map.of("payload", "boom",
        "topic", in.toString(), "key", Json.NULL, "attempts", 3L,
        "error", "cannot shout boom"));
    assertThat(run.errLines()).contains("sluice run: 1 message(s) dead-lettered")
        .anyMatch(l -> l.startsWith("sluice run: received 3, done 2, failed 3, dead 1"));
  }

  @Test
  void withoutADeadLetterSinkEachDeadLetterIsOneLineOnStderrAndTheRunStillSucceeds()
      throws IOException {
    Path in = Files.writeString(dir.resolve("in.txt"), "boom\n");

    CommandRun run = CommandRun.of("run", "--source", "file:" + in, "--processor",
        "dev.sluice.cli.testing.Shout", "--quiet");

    assertThat(run.exitCode()).isZero();
    assertThat(run.errLines()).containsExactly("sluice run: dead letter: {\"payload\":\"boom\","
        + "\"topic\":\"" + in + "\",\"key\":null,\"attempts\":1,\"error\":\"cannot shout boom\"}");
  }

  @Test
  void aSinkThatFailsEndsTheRunWithExit1AndItsCauseInOneLine() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")));

    CommandRun run = CommandRun.of("run", "--source", "generate:?count=3", "--processor",
        "dev.sluice.cli.testing.Shout", "--sink", "file:/dev/full", "--quiet");

    assertThat(run.exitCode()).isEqualTo(SluiceCommand.FAILED);
    assertThat(run.errLines()).filteredOn(l -> l.startsWith("sluice run: "))
        .containsExactly("sluice run: the run failed: sink failed: No space left on device");
  }

  @Test
  void helpListsTheOptionsTheUriFormsAndTheExitCodes() {
    CommandRun run = CommandRun.of("run", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--source", "--sink", "--dead-letter", "--exec",
        "--exec-format", "--exec-env", "--processor", "--classpath", "--workers", "--ordering",
        "--retries", "--backoff", "--timeout", "--max-in-flight", "--drain-timeout",
        "--fail-on-dead-letter", "--metrics-port", "--metrics-bind", "--password-file",
        "--quiet", "--source-header", "--source-subscribe", "--sink-header", "--sink-subscribe",
        "--trust-store", "--trust-store-password-file", "NAME=@env:VAR", "NAME=@file:PATH",
        "generate:?count=N", "key=json:/pointer", "3 messages dead-lettered");
  }
}
