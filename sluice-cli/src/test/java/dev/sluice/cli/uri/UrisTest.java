package dev.sluice.cli.uri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sink;
import dev.sluice.Sluice;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrisTest {

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final UriContext context = new UriContext(
      new ByteArrayInputStream("x\ny\n".getBytes(StandardCharsets.UTF_8)),
      new PrintStream(stdout, true, StandardCharsets.UTF_8));

  private static List<String> drain(Flow.Publisher<Message<String>> source)
      throws InterruptedException {
    List<String> seen = new ArrayList<>();
    Pipeline p = Sluice.from(source).workers(1).process(s -> s)
        .to(dev.sluice.Sinks.collection(seen)).start();
    p.awaitCompletion();
    return seen;
  }

  @Test
  void dashReadsStdinAndWritesStdout() throws Exception {
    assertThat(drain(SourceUris.open("-", context).publisher())).containsExactlyInAnyOrder("x", "y");
    Sink<Object> sink = SinkUris.open("--sink", "-", context);
    sink.write("out", Message.of("in"));
    assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("out\n");
  }

  @Test
  void fileReadsLinesAndAppendsLines(@TempDir Path dir) throws Exception {
    Path in = Files.writeString(dir.resolve("in.txt"), "1\n2\n3\n");
    Path out = Files.writeString(dir.resolve("out.txt"), "old\n");

    assertThat(drain(SourceUris.open("file:" + in, context).publisher())).hasSize(3);
    Sink<Object> sink = SinkUris.open("--sink", "file://" + out, context);
    sink.write("new", Message.of("x"));
    sink.close();
    assertThat(Files.readAllLines(out)).containsExactly("old", "new");
  }

  @Test
  void generateCountsFromOne() throws Exception {
    assertThat(drain(SourceUris.open("generate:?count=3&interval=1ms", context).publisher()))
        .containsExactlyInAnyOrder("1", "2", "3");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "amqp://x/y | --source 'amqp://x/y' has an unknown scheme 'amqp': use -, file:..., generate:..., kafka:...",
      "kafka://x/y | --source 'kafka://x/y': group is required",
      "mqtt://u:secret@h/t | --source 'mqtt://u:***@h/t' holds a password: remove it from the URI",
      "mqtt://h/t?qos=7 | --source 'mqtt://h/t?qos=7': ",
      "mqtt://h/t?colour=red | unknown parameter 'colour'",
      "mqtt://alice@h/t | 'mqtt://alice@h/t' names user 'alice': give its password with --password-file FILE or in $SLUICE_MQTT_PASSWORD",
      "nothing | --source 'nothing' has no scheme",
      "file: | --source 'file:' names no file: write file:PATH",
      "file:/no/such/file | cannot read /no/such/file (no such file)",
      "generate:?count=x | 'generate:?count=x': count must be a whole number but was 'x'",
      "generate:?count=-1 | count must be a number >= 0 but was '-1'",
      "generate:?interval=5 | 'generate:?interval=5': interval: '5' has no unit",
      "generate:?rate=5 | has an unknown parameter 'rate': it takes count, interval",
      "generate:x | write generate:?count=N&interval=D"})
  void aBadSourceIsOneLineSayingWhatToDo(String uri, String message) {
    assertThatThrownBy(() -> SourceUris.open(uri, context))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message)
        .hasMessageNotContaining("secret")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aBadSinkSaysWhichOption(@TempDir Path dir) {
    assertThatThrownBy(() -> SinkUris.open("--dead-letter", "s3://bucket", context))
        .hasMessageStartingWith("--dead-letter 's3://bucket' has an unknown scheme 's3'");
    assertThatThrownBy(() -> SinkUris.open("--sink", "file:" + dir + "/no/dir/out", context))
        .hasMessageContaining("no directory");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "mqtt://alice:s3cret@broker:1883/t | mqtt://alice:***@broker:1883/t",
      "mqtts://alice@broker/t?qos=1 | mqtts://alice@broker/t?qos=1",
      "wss://h/p?token=abc&x=1 | wss://h/p?token=***&x=1",
      "mqtt://h/t?password=p&share=g | mqtt://h/t?password=***&share=g",
      "file:/tmp/a:b@c | file:/tmp/a:b@c"})
  void redactionHidesPasswordsAndTokens(String uri, String shown) {
    assertThat(Redaction.uri(uri)).isEqualTo(shown);
  }

  @Test
  void webSocketUrisOpenLazilyAndCountAsConnectedUntilSubscribed() {
    OpenedSource source = SourceUris.open("ws://127.0.0.1:9/feed?x=1", context);

    assertThat(source.publisher()).isInstanceOf(dev.sluice.websocket.WebSocketSource.class);
    assertThat(source.connected().getAsBoolean()).isTrue();
    assertThat(SinkUris.open("--sink", "wss://127.0.0.1:9/out", context)).isInstanceOf(
        dev.sluice.websocket.WebSocketSink.class);
    assertThatThrownBy(() -> SourceUris.open("ws:///nohost", context))
        .hasMessageContaining("names no host");
    assertThatThrownBy(() -> SourceUris.open("ws://h/x", context.withWebSocket(
        new WebSocketOptions("--source", List.of("Bearer-s3cr3t"), null, null))))
        .hasMessageContaining("--source-header must be NAME=VALUE, NAME=@env:VAR or "
            + "NAME=@file:PATH but has no '='")
        .message().doesNotContain("s3cr3t");
  }

  @Test
  void aClosedWebSocketSourceCountsAsDisconnected() throws Exception {
    OpenedSource source = SourceUris.open("ws://127.0.0.1:9/feed", context);
    assertThat(source.connected().getAsBoolean()).isTrue();

    source.closer().close();

    assertThat(((dev.sluice.websocket.WebSocketSource) source.publisher()).state())
        .isEqualTo(dev.sluice.spi.ConnectionState.CLOSED);
    assertThat(source.connected().getAsBoolean()).isFalse();
  }

  @Test
  void aHeaderFromAnUnsetVariableIsOneLineNamingTheVariable() {
    assertThatThrownBy(() -> SinkUris.open("--sink", "ws://h/x", context.withWebSocket(
        new WebSocketOptions("--sink", List.of("Authorization=@env:SLUICE_TEST_NO_SUCH_VAR"),
            null, null))))
        .hasMessage("--sink 'ws://h/x': header Authorization: environment variable "
            + "SLUICE_TEST_NO_SUCH_VAR is not set");
  }

  @Test
  void aHeaderFromAMissingFileIsOneLineNamingTheFileNotAValue() {
    assertThatThrownBy(() -> SourceUris.open("ws://h/x", context.withWebSocket(
        new WebSocketOptions("--source", List.of("Authorization=@file:/no/such/token"), null,
            null))))
        .hasMessageStartingWith("--source 'ws://h/x': header Authorization: cannot read "
            + "/no/such/token");
  }

  @Test
  void parametersAreDecodedAndMayNotRepeat() throws IOException {
    UriParams p = UriParams.parse("x", "a=b%20c&flag");
    assertThat(p.string("a", null)).isEqualTo("b c");
    assertThat(p.has("flag")).isTrue();
    assertThatThrownBy(() -> UriParams.parse("x", "a=1&a=2")).hasMessageContaining("twice");
  }
}
