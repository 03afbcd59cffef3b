package dev.sluice.cli.exec;

import dev.sluice.Message;
import dev.sluice.MessageProcessor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs each message through a long-lived child process: the founding article's process pool,
 * open to any language. Each worker thread owns one child, started on its first message and
 * kept for the next ones.
 *
 * <p><b>Failures.</b> A child that exits, breaks its pipes or breaks the protocol fails the
 * attempt and is discarded; the worker starts a fresh one for its next attempt, so the retry
 * policy decides what happens to the message. A child that answers {@code {"error": …}}
 * (JSON format) fails the attempt and keeps running. When the pipeline's timeout (or a stop)
 * interrupts the worker, the child is killed with its descendants, and the interruption
 * propagates.
 *
 * <p><b>Threads.</b> {@link #process} is called by the pipeline's workers; each touches only
 * its own child. {@link #close} is called once, after the pipeline has ended, from the thread
 * that ran it; a worker still running after that (one that ignored its interruption) finds the
 * processor closed and fails its attempt. {@code notices} and {@code stderrLines} are called
 * from worker and pump threads and must be thread-safe.
 */
public final class ExecProcessor implements MessageProcessor<String, String>, AutoCloseable {

  private static final long EXIT_GRACE_MILLIS = 2_000;

  private final List<String> argv;
  private final Map<String, String> environment;
  private final ExecFormat format;
  private final Function<? super Message<String>, ?> keyOf;
  private final Consumer<String> stderrLines;
  private final Consumer<String> notices;
  private final Map<Thread, ChildProcess> children = new ConcurrentHashMap<>();
  private boolean closed;   // guarded by children (as a monitor)

  /**
   * @param argv        the program and its arguments
   * @param environment the children's whole environment
   * @param format      how messages and answers are written
   * @param keyOf       the key sent in the JSON format
   * @param stderrLines where the children's stderr lines go, prefixed with the worker's name
   * @param notices     where restarts and kills are reported, one line each
   */
  public ExecProcessor(List<String> argv, Map<String, String> environment, ExecFormat format,
      Function<? super Message<String>, ?> keyOf, Consumer<String> stderrLines,
      Consumer<String> notices) {
    this.argv = List.copyOf(argv);
    this.environment = Map.copyOf(environment);
    this.format = Objects.requireNonNull(format, "format");
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
    this.stderrLines = Objects.requireNonNull(stderrLines, "stderrLines");
    this.notices = Objects.requireNonNull(notices, "notices");
  }

  @Override
  public String process(Message<String> message, int attempt) throws Exception {
    String request = format.request(message, keyOf.apply(message), attempt);
    Thread worker = Thread.currentThread();
    ChildProcess child = childOf(worker);
    String reply;
    try {
      reply = child.exchange(request);
    } catch (InterruptedException e) {
      discard(worker, child, "killed its child (pid " + child.pid()
          + "): the attempt ran past the timeout or the run is stopping");
      throw e;
    } catch (ExecException e) {
      discard(worker, child, e.getMessage() + "; a new child takes the next attempt");
      throw e;
    }
    try {
      return format.result(reply);
    } catch (ExecException.ProtocolBroken e) {
      discard(worker, child, e.getMessage() + "; a new child takes the next attempt");
      throw e;
    }
  }

  private ChildProcess childOf(Thread worker) throws ExecException {
    ChildProcess child = children.get(worker);
    if (child != null) {
      return child;
    }
    synchronized (children) {
      if (closed) {
        throw new ExecException.StartFailed("the run has ended: no new child is started");
      }
      try {
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("SLUICE_WORKER", worker.getName());
        child = ChildProcess.start(argv, env, worker.getName(), stderrLines);
      } catch (IOException e) {
        throw new ExecException.StartFailed("cannot start '" + argv.get(0) + "': "
            + e.getMessage());
      }
      children.put(worker, child);
      return child;
    }
  }

  /** Lines {@code worker}'s child wrote that nobody has read yet (0 without a child). */
  int unreadLines(Thread worker) {
    ChildProcess child = children.get(worker);
    return child == null ? 0 : child.unreadLines();
  }

  private void discard(Thread worker, ChildProcess child, String why) {
    children.remove(worker, child);
    child.kill();
    notices.accept(worker.getName() + ": " + why);
  }

  /**
   * Closes every child's stdin, gives them a moment to exit, and kills those that do not.
   * Idempotent.
   */
  @Override
  public void close() {
    List<ChildProcess> all;
    synchronized (children) {
      closed = true;
      all = new ArrayList<>(children.values());
      children.clear();
    }
    all.forEach(ChildProcess::closeInput);
    long deadline = System.nanoTime() + EXIT_GRACE_MILLIS * 1_000_000;
    for (ChildProcess child : all) {
      try {
        long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        if (!child.awaitExit(left)) {
          child.kill();
        }
      } catch (InterruptedException e) {
        child.kill();
        Thread.currentThread().interrupt();
      }
    }
  }
}
