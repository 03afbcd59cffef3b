package dev.sluice;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records a run for a picture: which worker ran which attempt of which message from when to
 * when and how it ended, when messages arrived, and how many were in flight, queued and
 * running over time; {@link #html} draws it as one self-contained HTML page (inline SVG and
 * script, nothing fetched): a lane per worker, a bar per attempt coloured by its outcome,
 * arrival ticks on their own lane, the counts beneath, and the details of an attempt when
 * the pointer is over its bar. Attach it to a pipeline through a {@link Tap}:
 *
 * <pre>{@code
 * Timeline timeline = Timeline.keepingLast(10_000);
 * Tap<Event> tap = Tap.of(timeline);
 * Sluice.from(tap.source(events)).workers(5).processMessages(tap.processor(work)).start()
 *     .awaitCompletion();
 * timeline.writeHtml(Path.of("run.html"), "the article's run");
 * }</pre>
 *
 * <p><b>Memory.</b> Bounded for runs of any length: it keeps the last {@code N} attempts and
 * arrivals and the last {@code 4·N} changes of the counts; older ones are dropped, and the
 * page says how many it shows of how many there were. Messages in flight are tracked until
 * they settle (at most the pipeline's {@code maxInFlight}).
 *
 * <p><b>Outcomes.</b> An attempt is <i>done</i> when it returned a result, <i>retried</i>
 * when it failed and another attempt followed, <i>timed out</i> when its worker was
 * interrupted (the pipeline's timeout, or a stop) or it failed with a
 * {@link java.util.concurrent.TimeoutException} (or one as a cause), <i>dead-lettered</i>
 * when it failed and its message was then dead-lettered, <i>nacked</i> when its message was
 * given up unprocessed, <i>failed</i> while none of these is known yet, and <i>running</i>
 * while it runs.
 *
 * <p><b>Threads.</b> Thread-safe: the {@link Tap.Listener} callbacks come from the source,
 * the workers and the acknowledging threads, and {@link #html} may be called at any time,
 * even mid-run; all state is guarded by this object's monitor, held only briefly.
 */
public final class Timeline implements Tap.Listener {

  /** How many attempts {@link #create()} keeps. */
  public static final int DEFAULT_KEEP = 10_000;

  private static final int LABEL_CHARS = 200;
  private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)$");

  /** How an attempt ended, as the page names and colours it. */
  enum Outcome {
    RUNNING, DONE, FAILED, RETRIED, TIMED_OUT, DEAD_LETTERED, NACKED;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** One attempt; mutable, guarded by the timeline's monitor. */
  private static final class Bar {
    final String worker;
    final String message;
    final String key;
    final int attempt;
    final long receivedNanos;
    final long startNanos;
    long endNanos = -1;
    long settledNanos = -1;
    Outcome outcome = Outcome.RUNNING;
    String cause;

    Bar(String worker, String message, String key, int attempt, long receivedNanos,
        long startNanos) {
      this.worker = worker;
      this.message = message;
      this.key = key;
      this.attempt = attempt;
      this.receivedNanos = receivedNanos;
      this.startNanos = startNanos;
    }
  }

  /** A message between arrival and settlement; guarded by the timeline's monitor. */
  private static final class Flight {
    final long receivedNanos;
    final String label;
    final String key;
    final List<Bar> bars = new ArrayList<>(1);
    String deadCause;
    boolean settled;
    boolean acked;

    Flight(long receivedNanos, String label, String key) {
      this.receivedNanos = receivedNanos;
      this.label = label;
      this.key = key;
    }

    Bar bar(int attempt) {
      for (int i = bars.size() - 1; i >= 0; i--) {
        if (bars.get(i).attempt == attempt) {
          return bars.get(i);
        }
      }
      return null;
    }
  }

  private final int keep;
  private final ArrayDeque<Bar> bars = new ArrayDeque<>();
  private final ArrayDeque<Long> arrivals = new ArrayDeque<>();
  private final ArrayDeque<long[]> counts = new ArrayDeque<>();   // {nanos, inFlight, busy}
  private final Map<Message<?>, Flight> flights = new IdentityHashMap<>();
  private long attemptsSeen;
  private long arrivalsSeen;
  private long deadBeforeAnyAttempt;
  private long inFlight;
  private long busy;
  private long firstNanos = Long.MAX_VALUE;
  private long lastNanos = Long.MIN_VALUE;

  private Timeline(int keep) {
    this.keep = keep;
  }

  /** A timeline keeping the last {@link #DEFAULT_KEEP} attempts. */
  public static Timeline create() {
    return new Timeline(DEFAULT_KEEP);
  }

  /**
   * A timeline keeping the last {@code attempts} attempts (and as many arrivals).
   *
   * @throws IllegalArgumentException if {@code attempts} is under 1
   */
  public static Timeline keepingLast(int attempts) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be >= 1 but was " + attempts);
    }
    return new Timeline(attempts);
  }

  /** How many attempts the timeline keeps at most. */
  public int keeps() {
    return keep;
  }

  /** How many attempts started so far, kept or not. */
  public synchronized long attemptsSeen() {
    return attemptsSeen;
  }

  @Override
  public synchronized void received(Message<?> message, long nanos) {
    seen(nanos);
    arrivalsSeen++;
    arrivals.addLast(nanos);
    if (arrivals.size() > keep) {
      arrivals.removeFirst();
    }
    flights.put(message, new Flight(nanos, label(message.payload()),
        message.key() == null ? null : label(message.key())));
    inFlight++;
    count(nanos);
  }

  @Override
  public synchronized void attemptStarted(Message<?> message, int attempt, String worker,
      long nanos) {
    seen(nanos);
    Flight flight = flights.get(message);
    if (flight == null) {   // arrived before the timeline was attached: still draw it
      flight = new Flight(nanos, label(message.payload()),
          message.key() == null ? null : label(message.key()));
      flights.put(message, flight);
      inFlight++;
    }
    if (!flight.bars.isEmpty()) {
      Bar previous = flight.bars.get(flight.bars.size() - 1);
      if (previous.outcome == Outcome.FAILED) {
        previous.outcome = Outcome.RETRIED;
      }
    }
    Bar bar = new Bar(worker, flight.label, flight.key, attempt, flight.receivedNanos, nanos);
    flight.bars.add(bar);
    attemptsSeen++;
    bars.addLast(bar);
    if (bars.size() > keep) {
      bars.removeFirst();
    }
    busy++;
    count(nanos);
  }

  @Override
  public synchronized void attemptEnded(Tap.Attempt attempt) {
    seen(attempt.endNanos());
    busy--;
    count(attempt.endNanos());
    Flight flight = flights.get(attempt.message());
    Bar bar = flight == null ? null : flight.bar(attempt.number());
    if (bar == null) {
      return;
    }
    bar.endNanos = attempt.endNanos();
    if (attempt.interrupted() || timedOut(attempt.failure())) {
      bar.outcome = Outcome.TIMED_OUT;
    } else if (attempt.failure() == null) {
      bar.outcome = Outcome.DONE;
    } else {
      Bar last = flight.bars.get(flight.bars.size() - 1);
      bar.outcome = last != bar ? Outcome.RETRIED : Outcome.FAILED;
    }
    if (attempt.failure() != null && bar.cause == null) {
      bar.cause = label(attempt.failure());
    }
    if (flight.settled && !running(flight)) {
      // a timed-out attempt can end after its message was settled (retried elsewhere, or
      // dead-lettered by the watchdog): its outcome is known only now
      flights.remove(attempt.message());
      conclude(flight);
    }
  }

  @Override
  public synchronized void deadLettered(DeadLetter<?> letter, long nanos) {
    Flight flight = flights.get(letter.message());
    if (flight != null) {
      flight.deadCause = label(letter.cause());
    }
  }

  @Override
  public synchronized void settled(Message<?> message, boolean acked, long receivedNanos,
      long nanos) {
    seen(nanos);
    inFlight--;
    count(nanos);
    Flight flight = flights.get(message);
    if (flight == null) {
      return;
    }
    if (flight.bars.isEmpty()) {
      flights.remove(message);
      if (acked) {
        deadBeforeAnyAttempt++;
      }
      return;
    }
    flight.settled = true;
    flight.acked = acked;
    for (Bar bar : flight.bars) {
      bar.settledNanos = nanos;
    }
    if (!running(flight)) {
      flights.remove(message);
      conclude(flight);
    }
  }

  /** A {@link java.util.concurrent.TimeoutException} is the failure or one of its causes. */
  private static boolean timedOut(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** True while an attempt of {@code flight} has not ended. */
  private static boolean running(Flight flight) {
    for (Bar bar : flight.bars) {
      if (bar.endNanos < 0) {
        return true;
      }
    }
    return false;
  }

  /** The last attempt's final outcome, once the message is settled and every attempt ended. */
  private static void conclude(Flight flight) {
    Bar last = flight.bars.get(flight.bars.size() - 1);
    if (last.outcome != Outcome.DONE && flight.deadCause != null) {
      last.cause = flight.deadCause;
    }
    if (!flight.acked && last.outcome != Outcome.TIMED_OUT) {
      last.outcome = Outcome.NACKED;
    } else if (flight.acked && last.outcome == Outcome.FAILED) {
      last.outcome = Outcome.DEAD_LETTERED;
    }
  }

  /**
   * The page: one self-contained HTML document drawing what is kept now.
   *
   * @param title shown at the top of the page (escaped; any text is safe)
   */
  public String html(String title) {
    String data;
    synchronized (this) {
      data = json(title);
    }
    return template().replace("/*TIMELINE-DATA*/{}", data);
  }

  /** Writes {@link #html} to {@code file}, replacing it. */
  public void writeHtml(Path file, String title) throws IOException {
    Files.writeString(file, html(title), StandardCharsets.UTF_8);
  }

  // ---- guarded by this ----

  private void seen(long nanos) {
    firstNanos = Math.min(firstNanos, nanos);
    lastNanos = Math.max(lastNanos, nanos);
  }

  private void count(long nanos) {
    counts.addLast(new long[] {nanos, inFlight, busy});
    if (counts.size() > 4L * keep) {
      counts.removeFirst();
    }
  }

  private String json(String title) {
    long origin = firstNanos == Long.MAX_VALUE ? 0 : firstNanos;
    // after dropping, start the picture where the oldest kept thing is
    if (attemptsSeen > bars.size() || arrivalsSeen > arrivals.size()) {
      long oldest = Long.MAX_VALUE;
      if (!bars.isEmpty()) {
        oldest = Math.min(oldest, bars.peekFirst().startNanos);
      }
      if (!arrivals.isEmpty()) {
        oldest = Math.min(oldest, arrivals.peekFirst());
      }
      if (oldest != Long.MAX_VALUE) {
        origin = oldest;
      }
    }
    long end = lastNanos == Long.MIN_VALUE ? origin : lastNanos;
    TreeSet<String> workers = new TreeSet<>(WORKER_ORDER);
    for (Bar bar : bars) {
      workers.add(bar.worker);
    }
    List<String> lanes = new ArrayList<>(workers);
    StringBuilder out = new StringBuilder(256 + 160 * bars.size());
    out.append("{\"title\":");
    string(out, title);
    out.append(",\"keep\":").append(keep)
        .append(",\"attemptsSeen\":").append(attemptsSeen)
        .append(",\"arrivalsSeen\":").append(arrivalsSeen)
        .append(",\"deadBeforeAnyAttempt\":").append(deadBeforeAnyAttempt)
        .append(",\"end\":").append(ms(end, origin))
        .append(",\"lanes\":[");
    for (int i = 0; i < lanes.size(); i++) {
      out.append(i == 0 ? "" : ",");
      string(out, lanes.get(i));
    }
    out.append("],\"bars\":[");
    boolean first = true;
    for (Bar bar : bars) {
      out.append(first ? "" : ",").append("{\"lane\":").append(lanes.indexOf(bar.worker))
          .append(",\"attempt\":").append(bar.attempt)
          .append(",\"outcome\":\"").append(bar.outcome.label()).append('"')
          .append(",\"received\":").append(ms(bar.receivedNanos, origin))
          .append(",\"start\":").append(ms(bar.startNanos, origin))
          .append(",\"end\":").append(bar.endNanos < 0 ? "null" : ms(bar.endNanos, origin))
          .append(",\"settled\":")
          .append(bar.settledNanos < 0 ? "null" : ms(bar.settledNanos, origin))
          .append(",\"message\":");
      string(out, bar.message);
      out.append(",\"key\":");
      string(out, bar.key);
      out.append(",\"cause\":");
      string(out, bar.cause);
      out.append('}');
      first = false;
    }
    out.append("],\"arrivals\":[");
    first = true;
    for (long a : arrivals) {
      out.append(first ? "" : ",").append(ms(a, origin));
      first = false;
    }
    out.append("],\"counts\":[");
    first = true;
    for (long[] c : counts) {
      if (c[0] < origin) {
        continue;
      }
      out.append(first ? "" : ",").append('[').append(ms(c[0], origin)).append(',')
          .append(c[1]).append(',').append(c[2]).append(']');
      first = false;
    }
    return out.append("]}").toString();
  }

  // ---- helpers ----

  /** Workers by name, with a trailing number compared as a number (worker-2 before -10). */
  private static final Comparator<String> WORKER_ORDER = (a, b) -> {
    Matcher ma = NUMBERED.matcher(a);
    Matcher mb = NUMBERED.matcher(b);
    if (ma.matches() && mb.matches() && ma.group(1).equals(mb.group(1))
        && ma.group(2).length() < 10 && mb.group(2).length() < 10) {
      return Integer.compare(Integer.parseInt(ma.group(2)), Integer.parseInt(mb.group(2)));
    }
    return a.compareTo(b);
  };

  private static String ms(long nanos, long origin) {
    return String.format(Locale.ROOT, "%.3f", (nanos - origin) / 1e6);
  }

  private static String label(Object value) {
    String s = String.valueOf(value);
    return s.length() <= LABEL_CHARS ? s : s.substring(0, LABEL_CHARS) + "…";
  }

  /**
   * Appends {@code s} as a JSON string, or null. Also escapes {@code < > &} and the line
   * separators so the data can sit inside a {@code <script>} element whatever it holds.
   */
  private static void string(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
      return;
    }
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static String template() {
    try (InputStream in = Timeline.class.getResourceAsStream("timeline.html")) {
      if (in == null) {
        throw new IllegalStateException("timeline.html is missing from the sluice-core jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
