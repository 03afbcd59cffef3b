package dev.sluice.cli.exec;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One long-lived child process that answers one line with one line.
 *
 * <p><b>Threads.</b> {@link #exchange} is called by one worker thread at a time (the worker
 * that owns the child). Two daemon threads per child pump its output: one moves stdout lines
 * into a small queue, so that the worker waits on the queue — an interruptible wait — instead
 * of in a blocking read; one copies stderr lines, prefixed with the worker's name, to the
 * runner's stderr. {@link #kill} and {@link #closeInput} may be called from any thread.
 *
 * <p><b>Writes.</b> A request that fits the pipe's buffer many times over is written by the
 * worker itself: the child has read every earlier request (it answered them), so the write
 * cannot block. A larger one is handed to a writer thread started for it, so that a child
 * that stops reading cannot trap the worker in a write that no interrupt can end.
 *
 * <p><b>Shutdown.</b> {@link #closeInput} closes the child's stdin, which a well-behaved child
 * takes as the signal to exit; {@link #kill} ends it and its descendants forcibly. When the
 * child's stdout ends the reader queues an end marker, so a waiting worker learns at once that
 * the child has gone.
 */
final class ChildProcess {

  private static final Object END = new Object();
  /** Requests up to this many characters (at most 3 bytes each) are written directly. */
  private static final int DIRECT_WRITE_CHARS = 8 * 1024;

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<Object> replies = new ArrayBlockingQueue<>(16);
  private final Thread replyReader;
  private final Thread errorPump;
  private volatile boolean handedOffWrite;   // a writer thread may be stuck in a write

  private ChildProcess(Process process, String workerName, Consumer<String> stderrLines) {
    this.process = process;
    this.stdin = new BufferedWriter(
        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.replyReader = daemon(workerName + "-stdout", () -> readReplies(process.getInputStream()));
    this.errorPump = daemon(workerName + "-stderr",
        () -> pumpErrors(process.getErrorStream(), workerName, stderrLines));
  }

  /**
   * Starts {@code argv} with exactly the environment {@code environment}, its stderr lines
   * going to {@code stderrLines} as {@code "WORKER: line"}.
   */
  static ChildProcess start(List<String> argv, Map<String, String> environment,
      String workerName, Consumer<String> stderrLines) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process = builder.start();
    ChildProcess child = new ChildProcess(process, workerName, stderrLines);
    child.replyReader.start();
    child.errorPump.start();
    return child;
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Sends {@code request} as one line and waits for the child's next line.
   *
   * @throws InterruptedException if the worker is interrupted while waiting (timeout, stop);
   *                              the caller must then {@link #kill} the child
   * @throws ExecException        if the child has gone, or wrote a line nobody asked for
   */
  String exchange(String request) throws ExecException, InterruptedException {
    Object early = replies.poll();
    if (early == END) {
      throw new ExecException.ChildExited(exitDescription("before it was given the message"));
    }
    if (early != null) {
      throw new ExecException.ProtocolBroken("the child wrote a line nobody asked for: "
          + ExecFormat.abbreviate((String) early));
    }
    if (request.length() <= DIRECT_WRITE_CHARS) {
      try {
        send(request);
      } catch (IOException e) {
        throw new ExecException.ChildExited(exitDescription("while being given the message"));
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
    Object reply = replies.take();
    if (reply == END) {
      throw new ExecException.ChildExited(exitDescription("before answering"));
    }
    return (String) reply;
  }

  private void send(String request) throws IOException {
    synchronized (stdin) {
      stdin.write(request);
      stdin.write('\n');
      stdin.flush();
    }
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
   * Ends the child and everything it started. A child that has already exited is left to
   * its pumps, so that its last stderr lines still come through.
   */
  void kill() {
    if (!process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    replyReader.interrupt();
    errorPump.interrupt();
  }

  /** Lines (or the end marker) written by the child and not yet taken by {@link #exchange}. */
  int unreadLines() {
    return replies.size();
  }

  long pid() {
    return process.pid();
  }

  private void readReplies(InputStream out) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        replies.put(line);
      }
    } catch (IOException broken) {
      // The end marker below tells the worker.
    } catch (InterruptedException killed) {
      replies.clear();
    }
    if (!replies.offer(END)) {      // full of lines nobody asked for: the child is discarded
      replies.clear();
      replies.offer(END);
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
