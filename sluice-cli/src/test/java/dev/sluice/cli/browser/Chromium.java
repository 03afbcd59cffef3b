package dev.sluice.cli.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium from the distribution's packages ({@code chromium} and
 * {@code chromium-driver}), driven by Selenium; one per test class, since starting one takes
 * a second or two. Where the browser is not installed the tests are skipped, except in CI
 * ({@code CI=true}), where {@code .ci/run} installs it and its absence fails the build.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class Chromium implements AutoCloseable {

  private static final List<String> BROWSERS =
      List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
  private static final List<String> DRIVERS =
      List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriverService service, ChromeDriver driver, Path profile) {
    this.service = service;
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts a headless browser, or skips (fails in CI) when none is installed. */
  public static Chromium start() throws IOException {
    Path browser = firstExecutable(BROWSERS);
    Path driverBinary = firstExecutable(DRIVERS);
    if (browser == null || driverBinary == null) {
      String why = "no headless Chromium: install the chromium and chromium-driver packages"
          + " (looked for " + BROWSERS + " and " + DRIVERS + ")";
      if ("true".equals(System.getenv("CI"))) {
        fail(why + "; in CI .ci/run installs them");
      }
      Assumptions.abort(why);
    }
    Path profile = Files.createTempDirectory("sluice-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
        "--disable-gpu", "--window-size=1320,1000", "--hide-scrollbars",
        "--no-first-run", "--disable-extensions", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(driverBinary.toFile()).usingAnyFreePort().build();
    return new Chromium(service, new ChromeDriver(service, options), profile);
  }

  public WebDriver driver() {
    return driver;
  }

  /** Saves a screenshot of the window as {@code target/screenshots/NAME.png}, checked not blank. */
  public Path screenshot(String name) throws IOException {
    return screenshotTo(Path.of("target", "screenshots", name + ".png"));
  }

  /** Saves a screenshot of the window as {@code file}, checked not blank. */
  public Path screenshotTo(Path file) throws IOException {
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, png);
    assertNotBlank(png, file.getFileName().toString());
    return file;
  }

  /**
   * Where the README's pictures go when a test is run with
   * {@code -Dsluice.docs.images=DIR} (the tests that make them run only then).
   */
  public static Path docsImages() {
    return Path.of(System.getProperty("sluice.docs.images"));
  }

  /** The picture has many colours and a fair share of pixels that are not the background. */
  static void assertNotBlank(byte[] png, String name) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as(name + " is a PNG").isNotNull();
    int background = image.getRGB(image.getWidth() - 1, image.getHeight() - 1);
    Set<Integer> colours = new HashSet<>();
    long other = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y);
        colours.add(rgb);
        if (rgb != background) {
          other++;
        }
      }
    }
    long sampled = (long) ((image.getWidth() + 1) / 2) * ((image.getHeight() + 1) / 2);
    assertThat(colours.size()).as(name + ": distinct colours").isGreaterThan(8);
    assertThat(other * 100 / sampled).as(name + ": % of pixels drawn").isGreaterThanOrEqualTo(3);
  }

  private static Path firstExecutable(List<String> candidates) {
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      service.stop();
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
