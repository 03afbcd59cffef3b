package dev.sluice.cli.exec;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * One long-lived child process that answers one line with one line.
 *
 * <p><b>Threads.</b> {@link #exchange} and {@link #unexpected} are called by one worker thread
 * at a time (the worker that owns the child). Two daemon threads per child pump its output: one
 * moves stdout lines into a small bounded queue, so that the worker waits on the queue — an
 * interruptible wait with a deadline — instead of in a blocking read; one copies stderr lines,
 * prefixed with the worker's name, to the runner's stderr. {@link #kill}, {@link #closeInput}
 * and {@link #answers} may be called from any thread.
 *
 * <p><b>One answer per line.</b> The stdout pump splits each chunk the child wrote into lines
 * and queues all complete lines of one read together, so an extra line written with the answer
 * (the usual case: two prints in a row) is already queued when the answer is taken, and
 * {@link #unexpected} sees it before the next message is written. An extra line that reaches
 * the pipe only after the next message was written cannot be told from that message's answer.
 *
 * <p><b>Writes.</b> A request that fits the pipe's buffer many times over is written by the
 * worker itself: the child has read every earlier request (it answered them), so the write
 * cannot block. A larger one is handed to a writer thread started for it, so that a child
 * that stops reading cannot trap the worker in a write that no interrupt can end.
 *
 * <p><b>Shutdown.</b> {@link #closeInput} closes the child's stdin, which a well-behaved child
 * takes as the signal to exit; {@link #kill} ends it and its process group. When the child's
 * stdout ends the reader queues an end marker, so a waiting worker learns at once that the
 * child has gone.
 */
final class ChildProcess {

  private static final Object END = new Object();
  /** Requests up to this many characters (at most 3 bytes each) are written directly. */
  static final int DIRECT_WRITE_CHARS = 8 * 1024;
  /** Lines queued and not yet taken; a child that writes more is discarded by its worker. */
  private static final int MAX_QUEUED_LINES = 16;

  private final Process process;
  private final ChildSessions sessions;
  private final long startedNanos;
  private final Writer stdin;
  private final ArrayDeque<Object> replies = new ArrayDeque<>();   // guarded by itself
  private final Thread replyReader;
  private final Thread errorPump;
  private volatile boolean handedOffWrite;   // a writer thread may be stuck in a write
  private volatile int answers;              // written by the owning worker only

  private ChildProcess(Process process, ChildSessions sessions, String workerName,
      Consumer<String> stderrLines) {
    this.process = process;
    this.sessions = sessions;
    this.startedNanos = System.nanoTime();
    this.stdin = new BufferedWriter(
        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.replyReader = daemon(workerName + "-stdout", () -> readReplies(process.getInputStream()));
    this.errorPump = daemon(workerName + "-stderr",
        () -> pumpErrors(process.getErrorStream(), workerName, stderrLines));
  }

  /**
   * Starts {@code argv} through {@code sessions} with exactly the environment
   * {@code environment}, its stderr lines going to {@code stderrLines} as
   * {@code "WORKER: line"}.
   */
  static ChildProcess start(ChildSessions sessions, List<String> argv,
      Map<String, String> environment, String workerName, Consumer<String> stderrLines)
      throws IOException {
    Process process = sessions.start(argv, environment);
    ChildProcess child = new ChildProcess(process, sessions, workerName, stderrLines);
    child.replyReader.start();
    child.errorPump.start();
    return child;
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  /** When the child was started, on {@link System#nanoTime()}'s scale. */
  long startedNanos() {
    return startedNanos;
  }

  /** How many answers the child has given. */
  int answers() {
    return answers;
  }

  /**
   * What the child did between messages that it should not have: wrote a line nobody asked
   * for, or exited. Null when nothing.
   */
  String unexpected() {
    Object early;
    synchronized (replies) {
      early = replies.peek();
    }
    if (early == null) {
      return null;
    }
    return early == END ? exitDescription("after its last answer")
        : "the child (pid " + process.pid() + ") wrote a line nobody asked for: "
            + ExecFormat.abbreviate((String) early);
  }

  /**
   * Sends {@code request} as one line and waits for the child's next line, at most until the
   * deadline that {@code deadlineFrom} gives for the moment the line was written (both on
   * {@link System#nanoTime()}'s scale); {@code deadlineFrom} null: no limit.
   *
   * @throws InterruptedException if the worker is interrupted while waiting (a stop); the
   *                              caller must then {@link #kill} the child
   * @throws ExecException        if the child has gone, wrote a line nobody asked for, or
   *                              did not answer in time (the caller must kill it)
   */
  String exchange(String request, LongUnaryOperator deadlineFrom)
      throws ExecException, InterruptedException {
    String stray = unexpected();
    if (stray != null) {
      boolean ended;
      synchronized (replies) {
        ended = replies.peek() == END;
      }
      throw ended ? new ExecException.ChildExited(
          exitDescription("before it was given the message"), exitCode())
          : new ExecException.ProtocolBroken(stray);
    }
    long written = write(request);
    return nextAnswer(deadlineFrom == null ? Long.MIN_VALUE
        : deadlineFrom.applyAsLong(written));
  }

  /**
   * Writes {@code request} as one line and returns when it was written, on
   * {@link System#nanoTime()}'s scale. The caller must know that the child has room for it:
   * it has read every earlier line, or (pipelining) the lines it has not answered come to at
   * most {@link #DIRECT_WRITE_CHARS} with this one.
   *
   * @throws ExecException.ChildExited if the child has gone
   */
  long write(String request) throws ExecException.ChildExited {
    long written = System.nanoTime();
    if (request.length() <= DIRECT_WRITE_CHARS) {
      try {
        send(request);
      } catch (IOException e) {
        throw new ExecException.ChildExited(exitDescription("while being given the message"),
            exitCode());
      }
    } else {
      // If this write fails the child has gone: its stdout ends and the reader says so.
      handedOffWrite = true;
      Thread writer = daemon(Thread.currentThread().getName() + "-stdin", () -> {
        try {
          send(request);
        } catch (IOException childGone) {
          // reported through the end of its stdout
        }
      });
      writer.start();
    }
    return written;
  }

  /**
   * Waits for the child's next line until {@code deadline} ({@link System#nanoTime()}'s
   * scale; {@link Long#MIN_VALUE}: no limit) and counts it as an answer.
   *
   * @throws InterruptedException if the worker is interrupted while waiting (a stop); the
   *                              caller must then {@link #kill} the child
   * @throws ExecException        if the child has gone or did not answer in time (the caller
   *                              must kill it)
   */
  String nextAnswer(long deadline) throws ExecException, InterruptedException {
    Object reply = take(deadline);
    if (reply == null) {
      throw new ExecException.TimedOut("no answer in time");
    }
    if (reply == END) {
      throw new ExecException.ChildExited(exitDescription("before answering"), exitCode());
    }
    answers++;
    return (String) reply;
  }

  /** The next queued line or END; null if {@code deadline} passed first (MIN_VALUE: none). */
  private Object take(long deadline) throws InterruptedException {
    synchronized (replies) {
      while (replies.isEmpty()) {
        if (deadline == Long.MIN_VALUE) {
          replies.wait();
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          TimeUnit.NANOSECONDS.timedWait(replies, left);
        }
      }
      Object reply = replies.poll();
      replies.notifyAll();      // room for the reader
      return reply;
    }
  }

  private void send(String request) throws IOException {
    synchronized (stdin) {
      stdin.write(request);
      stdin.write('\n');
      stdin.flush();
    }
  }

  private int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  private String exitDescription(String when) {
    try {
      if (process.waitFor(1, TimeUnit.SECONDS)) {
        return "the child (pid " + process.pid() + ") exited with code " + process.exitValue()
            + " " + when;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "the child (pid " + process.pid() + ") closed its stdout " + when;
  }

  /** Closes the child's stdin: a well-behaved child finishes and exits. */
  void closeInput() {
    if (handedOffWrite) {
      return;   // a writer may hold the stream's lock forever; kill() ends this child instead
    }
    try {
      stdin.close();
    } catch (IOException alreadyGone) {
      // The child has exited: nothing to tell it.
    }
  }

  /** Waits up to {@code millis} for the child to exit; true if it has. */
  boolean awaitExit(long millis) throws InterruptedException {
    return process.waitFor(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Ends the child and everything it started: its process group through the reaper, and at
   * once the child and its descendants from here. A child that has already exited is left to
   * its pumps, so that its last stderr lines still come through.
   */
  void kill() {
    sessions.killGroup(process.pid());
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    if (!process.isAlive()) {
      return;
    }
    process.destroyForcibly();
    replyReader.interrupt();
    errorPump.interrupt();
  }

  /** After a clean exit: ends whatever the child left running in its group. */
  void endGroup() {
    sessions.killGroup(process.pid());
  }

  /** Lines (or the end marker) written by the child and not yet taken by {@link #exchange}. */
  int unreadLines() {
    synchronized (replies) {
      return replies.size();
    }
  }

  long pid() {
    return process.pid();
  }

  /**
   * Reads stdout in chunks and queues the complete lines of each chunk together (waiting while
   * the queue is full); a line ends at {@code \n}, a {@code \r} before it is dropped.
   */
  private void readReplies(InputStream out) {
    byte[] chunk = new byte[8192];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    List<String> lines = new ArrayList<>();
    try (out) {
      int n;
      while ((n = out.read(chunk)) > 0) {
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (chunk[i] == '\n') {
            line.write(chunk, from, i - from);
            lines.add(decode(line));
            line.reset();
            from = i + 1;
          }
        }
        line.write(chunk, from, n - from);
        if (!lines.isEmpty()) {
          queue(lines);
          lines.clear();
        }
      }
      if (line.size() > 0) {            // a last line without its line break
        queue(List.of(decode(line)));
      }
    } catch (IOException broken) {
      // The end marker below tells the worker.
    } catch (InterruptedException killed) {
      synchronized (replies) {
        replies.clear();
      }
    }
    synchronized (replies) {
      replies.add(END);        // may pass the bound by one: the end is always told
      replies.notifyAll();
    }
  }

  /** The line's text, without a {@code \r} at its end. */
  private static String decode(ByteArrayOutputStream line) {
    byte[] bytes = line.toByteArray();
    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1
        : bytes.length;
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  private void queue(List<String> lines) throws InterruptedException {
    synchronized (replies) {
      while (replies.size() >= MAX_QUEUED_LINES) {
        replies.wait();
      }
      replies.addAll(lines);    // one chunk's lines together, even past the bound
      replies.notifyAll();
    }
  }

  private static void pumpErrors(InputStream err, String workerName, Consumer<String> lines) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.accept(workerName + ": " + line);
      }
    } catch (IOException ended) {
      // The child is gone; so is its stderr.
    }
  }
}
