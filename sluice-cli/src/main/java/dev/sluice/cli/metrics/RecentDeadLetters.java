package dev.sluice.cli.metrics;

import dev.sluice.DeadLetter;
import dev.sluice.Tap;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last few dead letters, for the live page: when, which message, after how many attempts,
 * and why. Fed as a {@link Tap} listener.
 *
 * <p><b>Threads.</b> Thread-safe: {@link #deadLettered} comes from the pipeline's threads,
 * {@link #recent} from the metrics server's; both are synchronized.
 */
public final class RecentDeadLetters implements Tap.Listener {

  private static final int TEXT_CHARS = 300;

  /** One dead letter as the page shows it. */
  public record Entry(Instant at, String message, int attempts, String cause) {
  }

  private final int keep;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();   // guarded by this

  /** Keeps the last {@code keep} dead letters. */
  public RecentDeadLetters(int keep) {
    this.keep = keep;
  }

  @Override
  public synchronized void deadLettered(DeadLetter<?> letter, long nanos) {
    Throwable cause = letter.cause();
    String why = cause.getMessage() != null
        ? cause.getClass().getSimpleName() + ": " + cause.getMessage()
        : cause.getClass().getSimpleName();
    entries.addLast(new Entry(Instant.now(), shorten(String.valueOf(letter.message().payload())),
        letter.attempts(), shorten(why)));
    if (entries.size() > keep) {
      entries.removeFirst();
    }
  }

  /** The kept dead letters, newest first. */
  public synchronized List<Entry> recent() {
    List<Entry> newestFirst = new ArrayList<>(entries);
    java.util.Collections.reverse(newestFirst);
    return newestFirst;
  }

  private static String shorten(String s) {
    return s.length() <= TEXT_CHARS ? s : s.substring(0, TEXT_CHARS) + "…";
  }
}
