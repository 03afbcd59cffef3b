package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.DeadLetter;
import dev.sluice.Pipeline;
import dev.sluice.RetryPolicy;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.Tap;
import dev.sluice.Timeline;
import dev.sluice.cli.browser.BrowserTest;
import dev.sluice.cli.browser.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * {@code sluice demo --timeline} and the library's {@link Timeline}, opened in a real headless
 * Chromium: the lanes and bars are counted in the DOM, hovering a bar shows its message, and
 * a screenshot is saved under {@code target/screenshots} and checked not blank.
 */
@Timeout(120)
class TimelineBrowserTest extends BrowserTest {


  @TempDir
  Path dir;

  @Test
  void theArticlesRunAtATenthOfItsPaceShowsFiveLanesAndABarPerEvent() throws Exception {
    Path page = dir.resolve("run.html");
    CommandRun run = CommandRun.of("demo", "--events", "10", "--interval", "100ms",
        "--work", "500ms", "--workers", "5", "--timeline", page.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).contains("main: Timeline written to " + page);
    String html = Files.readString(page);
    assertThat(html).as("self-contained: nothing to fetch")
        .doesNotContain(" src=", " href=", "@import", "url(");

    WebDriver browser = chromium.driver();
    browser.get(page.toUri().toString());
    List<WebElement> lanes = browser.findElements(By.cssSelector("svg g.lane"));
    assertThat(lanes).hasSize(5);
    assertThat(lanes.stream().map(l -> l.getAttribute("data-worker")))
        .containsExactly(IntStream.rangeClosed(1, 5).mapToObj(i -> "sluice-worker-" + i)
            .toArray(String[]::new));
    for (WebElement lane : lanes) {
      // every worker ran some events, one at a time: its bars follow one another
      List<double[]> spans = lane.findElements(By.cssSelector("rect.attempt")).stream()
          .map(b -> new double[] {Double.parseDouble(b.getAttribute("x")),
              Double.parseDouble(b.getAttribute("width"))})
          .sorted(java.util.Comparator.comparingDouble(span -> span[0])).toList();
      assertThat(spans).as("bars in a lane").isNotEmpty();
      for (int i = 1; i < spans.size(); i++) {
        assertThat(spans.get(i)[0]).as("a bar starts after the one before it ends")
            .isGreaterThanOrEqualTo(spans.get(i - 1)[0] + spans.get(i - 1)[1] - 0.5);
      }
    }
    List<WebElement> bars = browser.findElements(By.cssSelector("rect.attempt"));
    assertThat(bars).hasSize(10);
    assertThat(bars.stream().map(b -> b.getAttribute("data-outcome")).distinct())
        .containsExactly("done");
    assertThat(browser.findElements(By.cssSelector("line.arrival"))).hasSize(10);
    assertThat(browser.findElement(By.id("summary")).getText())
        .startsWith("10 attempts of 10 messages on 5 workers").contains("Showing all of them");

    WebElement tip = browser.findElement(By.id("tip"));
    assertThat(tip.isDisplayed()).isFalse();
    new Actions(browser).moveToElement(bars.get(0)).perform();
    assertThat(tip.isDisplayed()).isTrue();
    assertThat(tip.getText()).startsWith("Event[index=")
        .containsPattern("attempt 1 on sluice-worker-[1-5]: done")
        .containsPattern("waited \\d+\\.\\d{3} s · ran 0\\.[5-9]\\d\\d s|ran [1-9]")
        .contains("end to end ");

    chromium.screenshot("timeline");
  }

  /**
   * The README's picture: the article's run at full pace (10 events 1 s apart, 5 s of work,
   * 5 workers; 15 s). Runs only with {@code -Dsluice.docs.images=DIR}.
   */
  @Test
  @EnabledIfSystemProperty(named = "sluice.docs.images", matches = ".+")
  void theArticlesRunForTheReadme() throws Exception {
    // a first small run warms the JVM, so the picture shows the pool, not class loading
    assertThat(CommandRun.of("demo", "--quiet", "--events", "20", "--interval", "0",
        "--work", "10ms").exitCode()).isZero();
    Path page = dir.resolve("article.html");
    CommandRun run = CommandRun.of("demo", "--quiet", "--timeline", page.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    WebDriver browser = chromium.driver();
    browser.get(page.toUri().toString());
    assertThat(browser.findElements(By.cssSelector("rect.attempt"))).hasSize(10);
    WebElement sixth = browser.findElements(By.cssSelector("rect.attempt")).stream()
        .filter(b -> b.getAttribute("data-index").equals("5")).findFirst().orElseThrow();
    new Actions(browser).moveToElement(sixth).perform();
    chromium.screenshotTo(Chromium.docsImages().resolve("timeline.png"));
  }

  @Test
  void attemptsAreColouredByOutcome() throws Exception {
    // 1 done, 2 failed once then done, 3 always fails (dead-lettered after 2 attempts),
    // 4 runs past the timeout twice (timed out, then dead-lettered)
    Timeline timeline = Timeline.keepingLast(100);
    Tap<Integer> tap = Tap.of(timeline);
    List<DeadLetter<Integer>> dead = new ArrayList<>();
    java.util.Set<Integer> failedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Pipeline pipeline = Sluice.from(tap.source(Sources.fromIterable(List.of(1, 2, 3, 4))))
        .workers(2)
        .retry(RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofMillis(1),
            Duration.ofMillis(1)).build())
        .timeout(Duration.ofSeconds(1))   // far above the others' 100 ms, even on a busy machine
        .processMessages(tap.processor((Integer i) -> {
          Thread.sleep(100);   // wide enough bars that the pointer finds the one it is over
          if (i == 2 && failedOnce.add(i)) {
            throw new IllegalStateException("flaky " + i);
          }
          if (i == 3) {
            throw new IllegalArgumentException("bad " + i);
          }
          if (i == 4) {
            Thread.sleep(10_000);
          }
          return i;
        }))
        .deadLetters(tap.deadLetters(Sinks.collection(dead)))
        .start();
    pipeline.awaitCompletion();
    assertThat(dead).hasSize(2);
    Path page = dir.resolve("outcomes.html");
    timeline.writeHtml(page, "outcomes <script>alert(1)</script>");

    WebDriver browser = chromium.driver();
    browser.get(page.toUri().toString());
    assertThat(browser.findElement(By.id("title")).getText())
        .isEqualTo("outcomes <script>alert(1)</script>");
    List<WebElement> bars = browser.findElements(By.cssSelector("rect.attempt"));
    assertThat(bars).hasSize(7);
    assertThat(bars.stream().collect(Collectors.groupingBy(b -> b.getAttribute("data-outcome"),
        Collectors.counting())))
        .containsEntry("done", 2L)
        .containsEntry("retried", 2L)       // 2's first, 3's first
        .containsEntry("dead-lettered", 1L) // 3's second
        .containsEntry("timed-out", 2L);    // 4's both
    WebElement deadBar = bars.stream()
        .filter(b -> "dead-lettered".equals(b.getAttribute("data-outcome"))).findFirst()
        .orElseThrow();
    new Actions(browser).moveToElement(deadBar).perform();
    assertThat(browser.findElement(By.id("tip")).getText())
        .startsWith("3\n").contains("attempt 2 on ", "dead-lettered", "cause: ", "bad 3");
  }
}
