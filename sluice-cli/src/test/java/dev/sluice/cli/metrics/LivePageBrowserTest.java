package dev.sluice.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.Tap;
import dev.sluice.cli.browser.BrowserTest;
import dev.sluice.cli.browser.Chromium;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.SourceBacklog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The live page of {@code --metrics-port}, in a real headless Chromium, while a pipeline runs:
 * the figures it shows match a {@code /metrics} scrape taken at the same time, and it changes
 * as the run goes on.
 *
 * <p>The run is held still while the two are compared: eight messages, three workers; message
 * 2 fails (dead-lettered), 1, 3 and 4 are done, and 5 to 8 wait on a latch (three running,
 * one queued), so every counter and gauge compared is steady until the latch opens.
 */
@Timeout(120)
class LivePageBrowserTest extends BrowserTest {

  private final HttpClient http = HttpClient.newHttpClient();

  private String get(String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  private static String text(WebDriver browser, String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private static long number(WebDriver browser, String id) {
    return Long.parseLong(text(browser, id).replace(",", ""));
  }

  @Test
  void showsTheFiguresOfAScrapeTakenAtTheSameTimeAndFollowsTheRun() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HealthMonitor health = new HealthMonitor(Duration.ofMinutes(1), System::nanoTime);
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "live", health,
        () -> true)) {
      Tap<Integer> tap = Tap.of(server.listeners());
      List<Integer> messages = IntStream.rangeClosed(1, 8).boxed().toList();
      Pipeline pipeline = Sluice.from(tap.source(Sources.fromIterable(messages)))
          .workers(3)
          .processMessages(tap.processor((Integer i) -> {
            if (i == 2) {
              throw new IllegalStateException("cannot score message 2");
            }
            if (i > 4) {
              release.await();
            }
            return i;
          }))
          .deadLetters(tap.deadLetters(Sinks.discard()))
          .to(Sinks.discard())
          .start();
      try {
        server.serve(pipeline::stats);
        String base = "http://127.0.0.1:" + server.port();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          Scrape s = Scrape.parse(get(base + "/metrics"), false);
          return s.value("sluice_messages_completed_total") == 3
              && s.value("sluice_workers_busy") == 3;
        });

        WebDriver browser = chromium.driver();
        browser.get(base + "/");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> number(browser, "updates") >= 2);
        Scrape scrape = Scrape.parse(get(base + "/metrics"), false);

        assertThat(number(browser, "received"))
            .isEqualTo((long) scrape.value("sluice_messages_received_total")).isEqualTo(8);
        assertThat(number(browser, "completed"))
            .isEqualTo((long) scrape.value("sluice_messages_completed_total")).isEqualTo(3);
        assertThat(number(browser, "inFlight"))
            .isEqualTo((long) scrape.value("sluice_messages_in_flight")).isEqualTo(4);
        assertThat(number(browser, "queued"))
            .isEqualTo((long) scrape.value("sluice_messages_queued")).isEqualTo(1);
        assertThat(text(browser, "busy")).isEqualTo(
            (long) scrape.value("sluice_workers_busy") + " of "
                + (long) scrape.value("sluice_workers"));
        assertThat(text(browser, "failures")).isEqualTo(
            (long) scrape.value("sluice_attempts_failed_total") + " / "
                + (long) scrape.value("sluice_messages_dead_lettered_total"));
        assertThat(text(browser, "workersNeeded")).matches("need \\d+");
        assertThat(text(browser, "verdict")).isNotBlank()
            .doesNotStartWith("waiting").doesNotStartWith("no figures");
        assertThat(text(browser, "source")).isEqualTo("connected");
        assertThat(text(browser, "sourceBacklog")).as("a list reports no backlog")
            .isEqualTo("unknown");
        assertThat(scrape.values()).doesNotContainKeys("sluice_source_backlog",
            "sluice_source_state");
        assertThat(text(browser, "health")).isEqualTo("ok");
        assertThat(browser.findElements(By.cssSelector("#deadLetters tr.dead-letter")))
            .hasSize(1);
        assertThat(text(browser, "deadLetters"))
            .contains("IllegalStateException: cannot score message 2");
        assertThat(browser.findElements(By.cssSelector("#chart path"))).hasSize(4);
        chromium.screenshot("live");

        release.countDown();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> number(browser, "completed") == 7 && number(browser, "inFlight") == 0);
        assertThat(text(browser, "busy")).isEqualTo("0 of 3");
        pipeline.awaitCompletion();
      } finally {
        release.countDown();
        pipeline.close();
      }
    }
  }

  /**
   * The source's connection state and backlog, where the source reports them: a generator of
   * 40 events, all due at once, held by one busy worker, so its backlog stands still while the
   * page and a scrape are compared; then the connection state changes and the backlog drains.
   */
  @Test
  void showsTheSourcesStateAndBacklogAsMetricsServesThem() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.CONNECTED);
    Flow.Publisher<Message<Long>> generator = Sources.generate(40, Duration.ZERO, i -> i);
    SourceView view = new SourceView(() -> state.get() == ConnectionState.CONNECTED,
        state::get, () -> SourceBacklog.of(generator));
    HealthMonitor health = new HealthMonitor(Duration.ofMinutes(1), System::nanoTime,
        view.connected());
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "lag", health, view)) {
      Tap<Long> tap = Tap.of(server.listeners());
      Pipeline pipeline = Sluice.from(tap.source(generator)).workers(1).maxInFlight(2)
          .processMessages(tap.processor((Long i) -> {
            release.await();
            return i;
          }))
          .start();
      try {
        server.serve(pipeline::stats);
        String base = "http://127.0.0.1:" + server.port();
        await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.stats().busyWorkers() == 1
            && pipeline.stats().inFlight() == 2);
        WebDriver browser = chromium.driver();
        browser.get(base + "/");
        await().atMost(Duration.ofSeconds(30)).until(() -> number(browser, "updates") >= 2);
        Scrape scrape = Scrape.parse(get(base + "/metrics"), false);

        long backlog = number(browser, "sourceBacklog");
        assertThat(backlog).isEqualTo((long) scrape.value("sluice_source_backlog"))
            .as("40 due, at most the 2 in flight and 1 in hand taken").isBetween(37L, 38L);
        assertThat(text(browser, "source")).isEqualTo("connected");
        assertThat(scrape.value("sluice_source_state", "state", "connected")).isEqualTo(1);
        assertThat(scrape.value("sluice_source_state", "state", "backing_off")).isZero();

        state.set(ConnectionState.BACKING_OFF);
        await().atMost(Duration.ofSeconds(30))
            .until(() -> text(browser, "source").equals("backing off"));
        Scrape later = Scrape.parse(get(base + "/metrics"), false);
        assertThat(later.value("sluice_source_state", "state", "backing_off")).isEqualTo(1);
        assertThat(later.value("sluice_source_state", "state", "connected")).isZero();
        chromium.screenshot("live-source");

        release.countDown();
        await().atMost(Duration.ofSeconds(30))
            .until(() -> number(browser, "sourceBacklog") == 0);
        pipeline.awaitCompletion();
        assertThat(Scrape.parse(get(base + "/metrics"), false).value("sluice_source_backlog"))
            .isZero();
      } finally {
        release.countDown();
        pipeline.close();
      }
    }
  }

  /**
   * The README's picture: the live page during the article's run (10 events 1 s apart, 5 s of
   * work, 5 workers), taken when the eighth event has arrived. Runs only with
   * {@code -Dsluice.docs.images=DIR}.
   */
  @Test
  @EnabledIfSystemProperty(named = "sluice.docs.images", matches = ".+")
  void theArticlesRunForTheReadme() throws Exception {
    HealthMonitor health = new HealthMonitor(Duration.ofMinutes(1), System::nanoTime);
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "article", health,
        () -> true)) {
      Tap<Long> tap = Tap.of(server.listeners());
      Pipeline pipeline = Sluice.from(tap.source(
              Sources.generate(10, Duration.ofSeconds(1), i -> i)))
          .workers(5)
          .processMessages(tap.processor((Long i) -> {
            Thread.sleep(5_000);
            return i;
          }))
          .start();
      try {
        server.serve(pipeline::stats);
        WebDriver browser = chromium.driver();
        browser.get("http://127.0.0.1:" + server.port() + "/");
        await().atMost(Duration.ofSeconds(30)).until(() -> number(browser, "received") >= 8
            && number(browser, "updates") >= 7);
        chromium.screenshotTo(Chromium.docsImages().resolve("live.png"));
      } finally {
        pipeline.close();
      }
    }
  }

  @Test
  void answersOnlyTheRootPathWithThePage() throws Exception {
    HealthMonitor health = new HealthMonitor(Duration.ofMinutes(1), System::nanoTime);
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "p", health, () -> true)) {
      String base = "http://127.0.0.1:" + server.port();
      String page = get(base + "/");
      assertThat(page).contains("<title>sluice — live</title>")
          .doesNotContain(" src=", " href=", "@import", "url(");
      HttpResponse<String> missing = http.send(HttpRequest.newBuilder(
          URI.create(base + "/nothing")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(404);
      HttpResponse<String> starting = http.send(HttpRequest.newBuilder(
          URI.create(base + "/stats.json")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(starting.statusCode()).isEqualTo(503);
    }
  }
}
