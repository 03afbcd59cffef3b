package dev.sluice.cli.browser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** A test class with one headless {@link Chromium} for all its tests (starting one is slow). */
@Tag("broker")
public abstract class BrowserTest {

  protected static Chromium chromium;

  @BeforeAll
  static void startBrowser() throws Exception {
    chromium = Chromium.start();
  }

  @AfterAll
  static void stopBrowser() throws Exception {
    if (chromium != null) {
      chromium.close();
      chromium = null;
    }
  }
}
