package dev.sluice.cli.exec;

import dev.sluice.Message;
import dev.sluice.MessageProcessor;
import dev.sluice.RedeliverException;
import dev.sluice.ServiceTime;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs each message through a long-lived child process: the founding article's process pool,
 * open to any language. Each worker owns one child, keyed by the worker's name; {@link #prestart}
 * starts them before the first message, so that start-up overlaps waiting for work.
 *
 * <p><b>Failures.</b> A child that exits, breaks its pipes, breaks the protocol or does not
 * answer within {@link ExecLimits} fails the attempt and is discarded (killed with its process
 * group); the worker starts a fresh one for its next attempt, so the retry policy decides what
 * happens to the message. A child that answers {@code {"error": …}} (JSON format) fails the
 * attempt and keeps running. When a stop interrupts the worker, the child is killed and the
 * interruption propagates.
 *
 * <p><b>Not the message's fault.</b> Two failures are the child's or the process's, never the
 * message's. (1) A child that wrote an extra line or exited <em>after</em> answering its last
 * message is replaced before the next message is written, and that message goes to the new
 * child within the same attempt: it uses none of its attempts. (2) A child that dies while the
 * run drains on a signal ({@link #drainStarted}), or that was stopped by SIGHUP, SIGINT or
 * SIGTERM from outside, ends its message with a {@link RedeliverException}: the message is
 * nacked for redelivery, never retried here or dead-lettered.
 *
 * <p><b>Timing.</b> An attempt's time runs from the moment its line is written to a child that
 * has answered before; a fresh child's first answer may also use the rest of the start-up
 * allowance ({@link ExecLimits}). Each child's first answer is recorded as its start-up time
 * ({@link #startUpSummary}). While a worker waits for an answer, {@link #waits} names it, the
 * message and how long.
 *
 * <p><b>Pipelining.</b> With a pipeline above 1 ({@code --exec-pipeline}) the workers share
 * the children instead, each child with up to that many lines in flight while its answers come
 * fast; see {@link Lane} for how each guarantee holds per line.
 *
 * <p><b>Threads.</b> {@link #process} is called by the pipeline's workers; with a pipeline of
 * 1 each touches only its own child, above 1 they share the children under one lock. {@link #prestart} is called once, before the pipeline starts. {@link #close} is
 * called once, after the pipeline has ended, from the thread that ran it; a worker still running
 * after that (one that ignored its interruption) finds the processor closed and fails its
 * attempt. {@link #waits}, {@link #startUpSummary} and {@link #drainStarted} may be called from
 * any thread. {@code notices} and {@code stderrLines} are called from worker and pump threads
 * and must be thread-safe.
 */
public final class ExecProcessor implements MessageProcessor<String, String>, AutoCloseable {

  private static final long EXIT_GRACE_MILLIS = 2_000;

  private final List<String> argv;
  private final Map<String, String> environment;
  private final ExecFormat format;
  private final Function<? super Message<String>, ?> keyOf;
  private final Consumer<String> stderrLines;
  private final Consumer<String> notices;
  private final ExecLimits limits;
  private final ChildSessions sessions;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final StartUpTimes startUps = new StartUpTimes();
  private volatile boolean draining;
  private boolean closed;   // guarded by slots (as a monitor)
  /** Lines a child may have in flight; above 1, workers share the children ({@link Lane}). */
  private final int pipeline;
  private final Object laneLock = new Object();
  private final List<Lane> lanes = new ArrayList<>();   // guarded by laneLock; set by prestart
  private int laneWaiters;                              // guarded by laneLock
  /** Tests set it to {@link Long#MAX_VALUE}: write ahead without first timing answers. */
  volatile long writeAheadBelowNanos = FAST_ANSWER_NANOS;

  /** One worker's child and what it waits for; the child is touched by that worker only. */
  private static final class Slot {
    final String worker;
    volatile ChildProcess child;
    volatile long waitingSince;      // System.nanoTime() when the line was written; 0: idle
    volatile String waitingOn;

    Slot(String worker) {
      this.worker = worker;
    }
  }

  /**
   * Children in the runner's process group and no limits: for tests and embedding.
   *
   * @see #ExecProcessor(List, Map, ExecFormat, Function, Consumer, Consumer, ExecLimits,
   *      ChildSessions)
   */
  public ExecProcessor(List<String> argv, Map<String, String> environment, ExecFormat format,
      Function<? super Message<String>, ?> keyOf, Consumer<String> stderrLines,
      Consumer<String> notices) {
    this(argv, environment, format, keyOf, stderrLines, notices, ExecLimits.NONE,
        ChildSessions.shared());
  }

  /**
   * @param argv        the program and its arguments
   * @param environment the children's whole environment
   * @param format      how messages and answers are written
   * @param keyOf       the key sent in the JSON format
   * @param stderrLines where the children's stderr lines go, prefixed with the worker's name
   * @param notices     where restarts and kills are reported, one line each
   * @param limits      how long an answer and a start-up may take
   * @param sessions    how children are started and reaped; closed by the caller after this
   */
  public ExecProcessor(List<String> argv, Map<String, String> environment, ExecFormat format,
      Function<? super Message<String>, ?> keyOf, Consumer<String> stderrLines,
      Consumer<String> notices, ExecLimits limits, ChildSessions sessions) {
    this(argv, environment, format, keyOf, stderrLines, notices, limits, sessions, 1);
  }

  /**
   * As above, with up to {@code pipeline} lines in flight to each child when its answers come
   * back fast (see {@link Lane}). With {@code pipeline} above 1 the pipeline must have
   * {@code pipeline} times as many workers as there are children, and {@link #prestart} names
   * the children before the first message.
   */
  public ExecProcessor(List<String> argv, Map<String, String> environment, ExecFormat format,
      Function<? super Message<String>, ?> keyOf, Consumer<String> stderrLines,
      Consumer<String> notices, ExecLimits limits, ChildSessions sessions, int pipeline) {
    if (pipeline < 1) {
      throw new IllegalArgumentException("--exec-pipeline must be >= 1 but was " + pipeline);
    }
    this.pipeline = pipeline;
    this.argv = List.copyOf(argv);
    this.environment = Map.copyOf(environment);
    this.format = Objects.requireNonNull(format, "format");
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
    this.stderrLines = Objects.requireNonNull(stderrLines, "stderrLines");
    this.notices = Objects.requireNonNull(notices, "notices");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
  }

  /**
   * Starts one child for each of {@code workers} (the names the pipeline's worker threads
   * have), so that their start-up runs while the first messages are still on their way. A
   * child that cannot start is tried again on its worker's first message. With a pipeline
   * above 1, {@code workers} names the children instead (shared by all workers); call this
   * once.
   */
  public void prestart(List<String> workers) {
    for (String worker : workers) {
      Slot slot = slots.computeIfAbsent(worker, Slot::new);
      if (pipeline > 1) {
        synchronized (laneLock) {
          lanes.add(new Lane(slot));
        }
      }
      try {
        startChild(slot);
      } catch (ExecException.StartFailed e) {
        notices.accept(worker + ": " + e.getMessage());
      }
    }
  }

  /**
   * A drain on a signal has begun: from now on a child that dies hands its message back to
   * the source instead of failing it.
   */
  public void drainStarted() {
    draining = true;
  }

  @Override
  public String process(Message<String> message, int attempt) throws Exception {
    String request = format.request(message, keyOf.apply(message), attempt);
    if (pipeline > 1) {
      return processPipelined(message, attempt, request);
    }
    Slot slot = slots.computeIfAbsent(Thread.currentThread().getName(), Slot::new);
    ChildProcess child = childOf(slot);
    String label = label(message);
    if (child.answers() > 0) {
      String stray = child.unexpected();
      if (stray != null) {
        discard(slot, child, stray + "; a new child takes " + label
            + " without using one of its attempts");
        child = childOf(slot);
      }
    }
    ChildProcess asked = child;
    String reply;
    slot.waitingOn = label;
    long asking = System.nanoTime();
    slot.waitingSince = asking;
    try {
      reply = child.exchange(request, written -> limits.deadline(written,
          asked.startedNanos(), asked.answers() > 0));
    } catch (InterruptedException e) {
      discard(slot, child, "killed its child (pid " + child.pid()
          + "): the run is stopping");
      throw e;
    } catch (ExecException e) {
      throw failed(e, asked, label, attempt, why -> discard(slot, asked, why));
    } finally {
      slot.waitingSince = 0;
    }
    if (child.answers() == 1) {
      startUps.record(System.nanoTime() - Math.max(child.startedNanos(), asking));
      ServiceTime.excludeThisAttempt();    // it waited for the child's start: not work
    }
    try {
      return format.result(reply);
    } catch (ExecException.ProtocolBroken e) {
      discard(slot, child, e.getMessage() + "; a new child takes the next attempt");
      throw e;
    }
  }

  /**
   * What an attempt whose child failed with {@code e} throws, after {@code discard} has
   * replaced the child with the notice it is given.
   */
  private Exception failed(ExecException e, ChildProcess child, String label, int attempt,
      Consumer<String> discard) {
    if (e instanceof ExecException.TimedOut) {
      discard.accept("killed its child (pid " + child.pid() + "): no answer to "
          + label + " within " + timeoutDescription(child));
      return new ExecException.TimedOut("attempt " + attempt + " ran past the --timeout of "
          + formatSeconds(limits.timeout()) + (child.answers() == 0
          ? " (after the child's start-up allowance of "
          + formatSeconds(limits.startTimeout()) + ")" : "") + "; its child was killed");
    }
    discard.accept(e.getMessage() + "; a new child takes the next attempt");
    if (e instanceof ExecException.ChildExited exited
        && (draining || exited.stoppedFromOutside())) {
      return new RedeliverException(e.getMessage() + (draining ? " while the run drains"
          : " (stopped from outside sluice)") + ": left for redelivery", e);
    }
    return e;
  }

  /**
   * One child shared by the workers (with a pipeline above 1): lines are written to it in the
   * order they are admitted, and it answers them in that order, so the oldest line in flight
   * (the head) owns the next answer. A line is timed from when it became the head: from its
   * write, or from the answer before it if that came later, so lines waiting behind a slow one
   * are not blamed for it. A child that fails its head (exit, timeout, broken protocol) is
   * replaced and the lines behind the head are written again to the new child, without using
   * one of their attempts.
   *
   * <p>A line is written ahead (the child has others in flight) only when the child's recent
   * answers came within {@link #FAST_ANSWER_NANOS}, when the lines in flight fit the pipe
   * ({@link ChildProcess#DIRECT_WRITE_CHARS} in all, so a write never blocks), and at most
   * {@link #SETTLE_EVERY} lines in a row: then the lane lets its child answer everything, so
   * that an extra line (which pipelining would take for the next message's answer) shows up as
   * a line nobody asked for and the child is replaced.
   *
   * <p>All fields are guarded by {@code laneLock}.
   */
  private static final class Lane {
    final Slot slot;
    final ArrayDeque<Ticket> inFlight = new ArrayDeque<>();
    int inFlightChars;
    int sinceSettled;                     // lines admitted since inFlight was last empty
    long answerNanos = Long.MAX_VALUE;    // recent answer time, smoothed; MAX: none yet

    Lane(Slot slot) {
      this.slot = slot;
    }

    boolean fast(long below) {
      return answerNanos <= below;
    }
  }

  /** A line written to a lane's child, waiting for its answer; its owner is one worker. */
  private static final class Ticket {
    final Thread owner = Thread.currentThread();
    final Lane lane;
    final ChildProcess child;
    final int chars;
    final String label;
    long written;                 // guarded by laneLock
    long turnNanos;               // guarded by laneLock: when it became the head
    volatile boolean head;        // set under laneLock, then the owner is unparked
    volatile boolean replaced;    // ditto: its child was discarded before it was answered

    Ticket(Lane lane, ChildProcess child, int chars, String label) {
      this.lane = lane;
      this.child = child;
      this.chars = chars;
      this.label = label;
    }
  }

  /** Answers slower than this (smoothed) stop a lane writing ahead. */
  static final long FAST_ANSWER_NANOS = 10_000_000;
  /** A lane lets its child answer everything in flight after this many lines in a row. */
  static final int SETTLE_EVERY = 256;

  private String processPipelined(Message<String> message, int attempt, String request)
      throws Exception {
    String label = label(message);
    while (true) {
      Ticket ticket = admit(request, label);
      ChildProcess child = ticket.child;
      try {
        while (!ticket.head && !ticket.replaced) {
          LockSupport.park(this);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
      } catch (InterruptedException e) {
        discardLane(ticket, "killed its child (pid " + child.pid() + "): the run is stopping");
        throw e;
      }
      if (ticket.replaced) {
        continue;    // its child was replaced while the line waited: to the new one, same attempt
      }
      long turn;
      synchronized (laneLock) {
        turn = ticket.turnNanos;
      }
      String reply;
      try {
        reply = child.nextAnswer(limits.deadline(turn, child.startedNanos(),
            child.answers() > 0));
      } catch (InterruptedException e) {
        discardLane(ticket, "killed its child (pid " + child.pid() + "): the run is stopping");
        throw e;
      } catch (ExecException e) {
        if (ticket.replaced) {
          continue;  // another worker replaced the child (a stop): this line is not to blame
        }
        throw failed(e, child, label, attempt, why -> discardLane(ticket, why));
      }
      long answered = System.nanoTime();
      if (child.answers() == 1) {
        startUps.record(answered - Math.max(child.startedNanos(), ticket.written));
        ServiceTime.excludeThisAttempt();  // it waited for the child's start: not work
      }
      String result;
      try {
        result = format.result(reply);
      } catch (ExecException.ProtocolBroken e) {
        discardLane(ticket, e.getMessage() + "; a new child takes the next attempt");
        throw e;
      } catch (ExecException.ErrorReply e) {
        answered(ticket, answered);
        throw e;
      }
      answered(ticket, answered);
      return result;
    }
  }

  /**
   * Writes {@code request} to the lane that should take it, waiting while none can, and
   * returns its ticket. A child that wrote a line nobody asked for or exited after its last
   * answer is replaced first, without using one of the message's attempts.
   */
  private Ticket admit(String request, String label) throws Exception {
    synchronized (laneLock) {
      if (lanes.isEmpty()) {
        throw new IllegalStateException("prestart names the children before the first message");
      }
      Lane chosen;
      while ((chosen = choose(request.length())) == null) {
        laneWaiters++;
        try {
          laneLock.wait();
        } finally {
          laneWaiters--;
        }
      }
      Lane lane = chosen;
      ChildProcess child = childOf(lane.slot);
      if (lane.inFlight.isEmpty() && child.answers() > 0) {
        String stray = child.unexpected();
        if (stray != null) {
          discard(lane.slot, child, stray + "; a new child takes " + label
              + " without using one of its attempts");
          child = childOf(lane.slot);
        }
      }
      Ticket ticket = new Ticket(lane, child, request.length(), label);
      boolean first = lane.inFlight.isEmpty();
      try {
        ticket.written = child.write(request);
      } catch (ExecException.ChildExited gone) {
        if (first) {
          ChildProcess dead = child;
          throw failed(gone, dead, label, 0, why -> discard(lane.slot, dead, why));
        }
        ticket.written = System.nanoTime();   // the head's owner learns that the child has gone
      }
      lane.inFlight.add(ticket);
      lane.inFlightChars += ticket.chars;
      lane.sinceSettled++;
      if (first) {
        becomeHead(ticket, ticket.written);
      }
      return ticket;
    }
  }

  /** The lane with room for a line of {@code chars}: an idle one first, else the least busy. */
  private Lane choose(int chars) {
    Lane best = null;
    for (Lane lane : lanes) {
      int n = lane.inFlight.size();
      if (n == 0) {
        if (best == null || !best.inFlight.isEmpty()) {
          best = lane;
        }
      } else if (n < pipeline && lane.fast(writeAheadBelowNanos) && lane.sinceSettled < SETTLE_EVERY
          && lane.inFlightChars + chars <= ChildProcess.DIRECT_WRITE_CHARS
          && (best == null || n < best.inFlight.size())) {
        best = lane;
      }
    }
    return best;
  }

  /** Under laneLock: {@code ticket} owns its child's next answer, timed from {@code now}. */
  private static void becomeHead(Ticket ticket, long now) {
    ticket.turnNanos = Math.max(ticket.written, now);
    ticket.lane.slot.waitingOn = ticket.label;
    ticket.lane.slot.waitingSince = ticket.turnNanos;
    ticket.head = true;
    LockSupport.unpark(ticket.owner);
  }

  /** The head was answered at {@code at}: the next line in flight becomes the head. */
  private void answered(Ticket ticket, long at) {
    synchronized (laneLock) {
      Lane lane = ticket.lane;
      if (lane.inFlight.peek() != ticket) {
        return;      // its child was replaced meanwhile; the lane has moved on
      }
      lane.inFlight.poll();
      lane.inFlightChars -= ticket.chars;
      if (ticket.child.answers() > 1) {
        long took = at - ticket.turnNanos;
        lane.answerNanos = lane.answerNanos == Long.MAX_VALUE ? took
            : lane.answerNanos - (lane.answerNanos >> 3) + (took >> 3);
      }
      Ticket next = lane.inFlight.peek();
      if (next != null) {
        becomeHead(next, at);
      } else {
        lane.sinceSettled = 0;
        lane.slot.waitingSince = 0;
      }
      if (laneWaiters > 0) {
        laneLock.notifyAll();
      }
    }
  }

  /**
   * Replaces {@code ticket}'s child with the notice {@code why}: the lines written to it after
   * the head, and the head too when {@code ticket} is not the head, go to the next child
   * without using one of their attempts.
   */
  private void discardLane(Ticket ticket, String why) {
    int innocent = 0;
    synchronized (laneLock) {
      Lane lane = ticket.lane;
      for (java.util.Iterator<Ticket> it = lane.inFlight.iterator(); it.hasNext(); ) {
        Ticket t = it.next();
        if (t.child != ticket.child) {
          continue;
        }
        it.remove();
        lane.inFlightChars -= t.chars;
        if (t != ticket) {
          innocent++;
          t.replaced = true;
          LockSupport.unpark(t.owner);
        }
      }
      synchronized (slots) {
        if (lane.slot.child == ticket.child) {
          lane.slot.child = null;     // no line goes to this child any more
        }
      }
      if (lane.inFlight.isEmpty()) {
        lane.sinceSettled = 0;
        lane.slot.waitingSince = 0;
      } else if (!lane.inFlight.peek().head) {
        becomeHead(lane.inFlight.peek(), System.nanoTime());
      }
      if (laneWaiters > 0) {
        laneLock.notifyAll();
      }
    }
    discard(ticket.lane.slot, ticket.child, why + (innocent == 0 ? ""
        : "; " + innocent + " line" + (innocent == 1 ? "" : "s")
        + " written after it go to the new child without using one of their attempts"));
  }

  private String timeoutDescription(ChildProcess child) {
    return child.answers() == 0 ? "its start-up allowance (--exec-start-timeout "
        + formatSeconds(limits.startTimeout()) + ") and --timeout "
        + formatSeconds(limits.timeout()) : "--timeout " + formatSeconds(limits.timeout());
  }

  private static String formatSeconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** How a message is named in notices: its source's sequence number, else its payload. */
  private static String label(Message<String> message) {
    if (message.sequence() >= 0) {
      return "message #" + message.sequence();
    }
    String payload = message.payload();
    return "message '" + (payload.length() <= 40 ? payload : payload.substring(0, 40) + "…")
        + "'";
  }

  private ChildProcess childOf(Slot slot) throws ExecException {
    ChildProcess child = slot.child;
    return child != null ? child : startChild(slot);
  }

  private ChildProcess startChild(Slot slot) throws ExecException.StartFailed {
    synchronized (slots) {
      if (closed) {
        throw new ExecException.StartFailed("the run has ended: no new child is started");
      }
      ChildProcess child;
      try {
        Map<String, String> env = new HashMap<>(environment);
        env.put("SLUICE_WORKER", slot.worker);
        child = ChildProcess.start(sessions, argv, env, slot.worker, stderrLines);
      } catch (IOException e) {
        throw new ExecException.StartFailed("cannot start '" + argv.get(0) + "': "
            + e.getMessage());
      }
      slot.child = child;
      return child;
    }
  }

  /** Lines in flight to the child named {@code name} (with a pipeline above 1). */
  int inFlight(String name) {
    synchronized (laneLock) {
      return lanes.stream().filter(l -> l.slot.worker.equals(name))
          .mapToInt(l -> l.inFlight.size()).sum();
    }
  }

  /** Lines the child named {@code name} wrote that nobody has read yet (0 without a child). */
  int unreadLines(String name) {
    Slot slot = slots.get(name);
    ChildProcess child = slot == null ? null : slot.child;
    return child == null ? 0 : child.unreadLines();
  }

  /** Lines {@code worker}'s child wrote that nobody has read yet (0 without a child). */
  int unreadLines(Thread worker) {
    Slot slot = slots.get(worker.getName());
    ChildProcess child = slot == null ? null : slot.child;
    return child == null ? 0 : child.unreadLines();
  }

  private void discard(Slot slot, ChildProcess child, String why) {
    synchronized (slots) {
      if (slot.child == child) {
        slot.child = null;
      }
    }
    child.kill();
    notices.accept(slot.worker + ": " + why);
  }

  /**
   * The workers that have waited for an answer for at least {@code atLeast}, longest first,
   * one line each: {@code "sluice-worker-2 waiting 37 s on message #14"}, with a hint when
   * that child has never answered anything.
   */
  public List<String> waits(Duration atLeast) {
    long now = System.nanoTime();
    List<Slot> waiting = new ArrayList<>();
    Map<Slot, Long> since = new HashMap<>();
    for (Slot slot : slots.values()) {
      long s = slot.waitingSince;
      if (s != 0 && now - s >= atLeast.toNanos()) {
        waiting.add(slot);
        since.put(slot, s);
      }
    }
    waiting.sort(Comparator.comparingLong(since::get));
    List<String> lines = new ArrayList<>(waiting.size());
    for (Slot slot : waiting) {
      ChildProcess child = slot.child;
      boolean neverAnswered = child != null && child.answers() == 0;
      lines.add(slot.worker + " waiting " + Duration.ofNanos(now - since.get(slot)).toSeconds()
          + " s on " + slot.waitingOn + (neverAnswered
          ? " (its child has not answered anything yet: does it flush stdout after each line?"
          + " try stdbuf -oL)" : ""));
    }
    return lines;
  }

  /**
   * Children's start-up, measured as each fresh child's first answer (from its start, or from
   * its first line if that came later): e.g. {@code "child start-up p50 3.0 s, max 3.1 s (4
   * children)"}; null before any child has answered.
   */
  public String startUpSummary() {
    return startUps.summary();
  }

  /**
   * Closes every child's stdin, gives them a moment to exit, kills those that do not, and ends
   * what each left in its process group. Idempotent; does not close the sessions.
   */
  @Override
  public void close() {
    List<ChildProcess> all = new ArrayList<>();
    synchronized (slots) {
      closed = true;
      for (Slot slot : slots.values()) {
        if (slot.child != null) {
          all.add(slot.child);
          slot.child = null;
        }
      }
    }
    endGently(all);
  }

  /**
   * The worker {@code worker} has retired (an adaptive pool shrank): its child is told to end
   * (its stdin closed) and killed if it has not within the grace, on a thread of its own, so
   * the retiring worker does not wait. A later worker of the same name starts a new child.
   */
  public void retire(String worker) {
    ChildProcess child;
    synchronized (slots) {
      Slot slot = slots.get(worker);
      if (slot == null || slot.child == null || pipeline > 1) {
        return;
      }
      child = slot.child;
      slot.child = null;
    }
    notices.accept(worker + ": retired with the worker, its child (pid " + child.pid()
        + ") is told to end");
    Thread ender = new Thread(() -> endGently(List.of(child)), worker + "-retire");
    ender.setDaemon(true);
    ender.start();
  }

  /** Closes each child's stdin, then waits for them all within the grace, killing the rest. */
  private static void endGently(List<ChildProcess> children) {
    children.forEach(ChildProcess::closeInput);
    long deadline = System.nanoTime() + EXIT_GRACE_MILLIS * 1_000_000;
    for (ChildProcess child : children) {
      try {
        long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        if (child.awaitExit(left)) {
          child.endGroup();
        } else {
          child.kill();
        }
      } catch (InterruptedException e) {
        child.kill();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The start-up times of the last children, for a median and a maximum. Thread-safe. */
  private static final class StartUpTimes {
    private final long[] recent = new long[256];   // guarded by this
    private long count;                            // guarded by this
    private long max;                              // guarded by this

    synchronized void record(long nanos) {
      recent[(int) (count % recent.length)] = nanos;
      count++;
      max = Math.max(max, nanos);
    }

    synchronized String summary() {
      if (count == 0) {
        return null;
      }
      long[] sorted = java.util.Arrays.copyOf(recent, (int) Math.min(count, recent.length));
      java.util.Arrays.sort(sorted);
      return String.format(java.util.Locale.ROOT,
          "child start-up p50 %.1f s, max %.1f s (%d child%s)", sorted[sorted.length / 2] / 1e9,
          max / 1e9, count, count == 1 ? "" : "ren");
    }
  }
}
