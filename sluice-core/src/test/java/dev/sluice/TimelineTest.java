package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Timeline} records and embeds in its page (the drawing is tested in a browser). */
@Timeout(30)
class TimelineTest {

  @TempDir
  Path dir;

  private static String data(String html) {
    Matcher m = Pattern.compile("<script id=\"timeline-data\" type=\"application/json\">(.*?)"
        + "</script>", Pattern.DOTALL).matcher(html);
    assertThat(m.find()).as("the data element").isTrue();
    return m.group(1);
  }

  private static long count(String text, String what) {
    return Pattern.compile(Pattern.quote(what)).matcher(text).results().count();
  }

  private static Timeline run(Timeline timeline, List<String> payloads, int workers)
      throws InterruptedException {
    Tap<String> tap = Tap.of(timeline);
    Sluice.from(tap.source(Sources.fromIterable(payloads))).workers(workers)
        .processMessages(tap.processor((String s) -> s)).start().awaitCompletion();
    return timeline;
  }

  @Test
  void recordsABarPerAttemptOnItsWorkersLane() throws Exception {
    Timeline timeline = run(Timeline.create(),
        IntStream.rangeClosed(1, 6).mapToObj(i -> "m" + i).toList(), 2);

    String data = data(timeline.html("six messages"));
    assertThat(count(data, "\"outcome\":\"done\"")).isEqualTo(6);
    assertThat(data).contains("\"title\":\"six messages\"", "\"attemptsSeen\":6",
        "\"arrivalsSeen\":6", "\"keep\":10000");
    assertThat(data).containsPattern("\"lanes\":\\[\"sluice-worker-[12]\"(,\"sluice-worker-2\")?]");
    assertThat(data).doesNotContain("\"end\":null", "\"settled\":null");
    assertThat(timeline.attemptsSeen()).isEqualTo(6);
  }

  @Test
  void keepsOnlyTheLastAttemptsAndSaysHowManyThereWere() throws Exception {
    Timeline timeline = run(Timeline.keepingLast(3),
        IntStream.rangeClosed(1, 20).mapToObj(i -> "m" + i).toList(), 1);

    String data = data(timeline.html("bounded"));
    assertThat(count(data, "\"outcome\":")).isEqualTo(3);
    assertThat(data).contains("\"attemptsSeen\":20", "\"keep\":3", "\"message\":\"m20\"")
        .doesNotContain("\"message\":\"m17\"");
    assertThat(data.substring(data.indexOf("\"arrivals\":[")))
        .startsWith("\"arrivals\":[").matches("\"arrivals\":\\[[^,\\]]+,[^,\\]]+,[^,\\]]+].*");
  }

  @Test
  void escapesWhatMessagesHoldSoThePageStaysWhole() throws Exception {
    Timeline timeline = run(Timeline.create(), List.of("</script><img src=x onerror=alert(1)>"),
        1);
    Path file = dir.resolve("t.html");
    timeline.writeHtml(file, "a \"title\" & <more>");

    String html = Files.readString(file);
    assertThat(html).doesNotContain("<img", "</script><").contains("\\u003c/script\\u003e");
    assertThat(data(html)).contains("\"title\":\"a \\\"title\\\" \\u0026 \\u003cmore\\u003e\"");
  }

  @Test
  void keepingFewerThanOneAttemptIsRefused() {
    assertThatThrownBy(() -> Timeline.keepingLast(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempts must be >= 1 but was 0");
  }
}
