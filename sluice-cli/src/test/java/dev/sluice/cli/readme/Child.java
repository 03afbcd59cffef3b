package dev.sluice.cli.readme;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A snippet running as a child process (bash, or a JVM for a Java snippet), its stdout and
 * stderr collected line by line as they come. The test thread drives it; the two pump threads
 * only append to thread-safe lists.
 */
final class Child implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> out = new CopyOnWriteArrayList<>();
  private final List<String> err = new CopyOnWriteArrayList<>();
  private final Thread outPump;
  private final Thread errPump;

  private Child(String name, Process process) {
    this.name = name;
    this.process = process;
    this.outPump = pump(process.getInputStream(), out);
    this.errPump = pump(process.getErrorStream(), err);
  }

  /** Starts {@code argv} in {@code dir} with the test's environment plus {@code env}. */
  static Child start(String name, Path dir, Map<String, String> env, List<String> argv) {
    ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile());
    builder.environment().putAll(env);
    try {
      return new Child(name, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Thread pump(InputStream in, List<String> lines) {
    Thread t = new Thread(() -> {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ended) {
        // the process is gone
      }
    }, "readme-pump");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits, at most {@code limit}, until {@code condition} holds; fails early if the child ends. */
  void awaitUntil(Duration limit, String what, java.util.concurrent.Callable<Boolean> condition) {
    try {
      await().atMost(limit).pollInterval(Duration.ofMillis(50))
          .failFast(name + " ended before " + what, () -> !process.isAlive())
          .until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(name + ": " + what + " did not happen within " + limit
          + "\n" + this, e);
    } catch (TerminalFailureException e) {
      awaitExit(Duration.ofSeconds(10));
      throw new AssertionError(name + " ended (exit " + process.exitValue() + ") before "
          + what + "\n" + this, e);
    }
  }

  /** Waits until a line of stdout satisfies {@code line}. */
  void awaitOutLine(Duration limit, Predicate<String> line) {
    awaitUntil(limit, "the expected line on stdout", () -> out.stream().anyMatch(line));
  }

  /** Closes the child's stdin (the Java snippets' wrapper drains and ends on it). */
  void closeInput() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends SIGTERM to the one {@code sluice} JVM this snippet started (bash itself, if it
   * exec'd the launcher), as {@code kill PID} or systemd's stop of that process would.
   */
  void terminateSluice() {
    List<ProcessHandle> jvms = Stream.concat(Stream.of(process.toHandle()), process.descendants())
        .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .toList();
    if (jvms.size() != 1) {
      throw new AssertionError(name + ": expected one sluice JVM to signal, found " + jvms
          + "\n" + this);
    }
    jvms.get(0).destroy();
  }

  /**
   * Sends SIGTERM to the child itself (bash, for a shell block), as {@code kill PID} would.
   * Through its {@link ProcessHandle}: {@link Process#destroy} also closes our ends of its
   * pipes, and what its children print while they drain would be lost.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** The child's running descendants now (a shell block's background jobs, its JVMs). */
  List<ProcessHandle> descendants() {
    return process.descendants().filter(ProcessHandle::isAlive).toList();
  }

  /** Waits (at most {@code limit}) for the exit and for both streams to be read to their end. */
  int awaitExit(Duration limit) {
    try {
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        close();
        throw new AssertionError(name + " did not exit within " + limit + "\n" + this);
      }
      outPump.join(10_000);
      errPump.join(10_000);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  List<String> out() {
    return List.copyOf(out);
  }

  List<String> err() {
    return List.copyOf(err);
  }

  /** What it printed, for failure messages. */
  @Override
  public String toString() {
    return "--- " + name + " stdout:\n" + String.join("\n", out) + "\n--- stderr:\n"
        + String.join("\n", err);
  }

  /** Kills what is left of it: its descendants (the sluice JVM, exec children) first. */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
