package dev.sluice.cli;

import dev.sluice.Stats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The runner's stderr: whole lines from any thread (children's stderr, notices) and the live
 * status. On a terminal the status is one line redrawn in place ({@code \r}), and other lines
 * are printed above it; elsewhere (a pipe, a log file) the status is a plain line every
 * {@code logEvery}. Quiet: no status at all, other lines still printed.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any thread; each takes this
 * object's lock, so lines never interleave. Status updates come from the pipeline's timer
 * thread.
 */
final class StatusLine {

  private static final String CLEAR_LINE = "\r\033[K";

  private final PrintStream err;
  private final boolean terminal;
  private final boolean quiet;
  private final long logEveryNanos;
  private String status;            // guarded by this: the status drawn on a terminal, or null
  private long lastLogNanos;        // guarded by this

  StatusLine(PrintStream err, boolean terminal, boolean quiet, Duration logEvery) {
    this.err = Objects.requireNonNull(err, "err");
    this.terminal = terminal;
    this.quiet = quiet;
    this.logEveryNanos = logEvery.toNanos();
    this.lastLogNanos = System.nanoTime();
  }

  /** Prints one whole line (above the status on a terminal). */
  synchronized void line(String line) {
    if (terminal && status != null) {
      err.print(CLEAR_LINE);
      err.println(line);
      err.print(status);
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** Shows {@code stats} now (terminal) or when a log line is due (elsewhere). */
  synchronized void update(Stats stats) {
    update(stats, List.of());
  }

  /**
   * Shows {@code stats} and, after it, the longest of {@code waits} (workers waiting long for
   * an answer, longest first) with how many more there are: a run whose workers all wait on
   * silent children says so instead of showing only "busy 2/2, utilisation 0%".
   */
  synchronized void update(Stats stats, List<String> waits) {
    if (quiet) {
      return;
    }
    String summary = stats.summaryLine() + (waits.isEmpty() ? ""
        : " · " + waits.get(0) + (waits.size() > 1 ? " (+" + (waits.size() - 1)
            + " more waiting)" : ""));
    if (terminal) {
      status = "sluice: " + summary;
      err.print(CLEAR_LINE + status);
      err.flush();
      return;
    }
    long now = System.nanoTime();
    if (now - lastLogNanos >= logEveryNanos) {
      lastLogNanos = now;
      err.println("sluice run: " + summary);
      err.flush();
    }
  }

  /** Ends the live status, leaving its last state on screen; later lines print below it. */
  synchronized void finish() {
    if (terminal && status != null) {
      err.println();
      err.flush();
      status = null;
    }
  }

  boolean quiet() {
    return quiet;
  }
}
