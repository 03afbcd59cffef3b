package dev.sluice.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code sluice} command run as a child JVM (the test classpath, main class
 * {@link SluiceCommand}), with its stdout and stderr collected line by line as they come, so a
 * test can wait for a line and then signal the process.
 */
final class SluiceProcess implements AutoCloseable {

  private final Process process;
  private final List<String> out = new CopyOnWriteArrayList<>();
  private final List<String> err = new CopyOnWriteArrayList<>();
  private final Thread outPump;
  private final Thread errPump;

  private SluiceProcess(Process process) {
    this.process = process;
    this.outPump = pump(process.getInputStream(), out);
    this.errPump = pump(process.getErrorStream(), err);
  }

  /** Starts {@code sluice ARGS…} in {@code dir} with {@code env} added to its environment. */
  static SluiceProcess start(Path dir, java.util.Map<String, String> env, String... args) {
    return start(dir, List.of(), List.of(), builder -> builder.environment().putAll(env), args);
  }

  /** Starts {@code sluice ARGS…} in {@code dir}. */
  static SluiceProcess start(Path dir, String... args) {
    return start(dir, List.of(), List.of(), builder -> { }, args);
  }

  /** Starts {@code sluice ARGS…} in {@code dir} in a JVM given {@code jvmOptions} too. */
  static SluiceProcess start(Path dir, List<String> jvmOptions, String... args) {
    return start(dir, List.of(), jvmOptions, builder -> { }, args);
  }

  /**
   * Starts {@code sluice ARGS…} in {@code dir} as the leader of a process group and session
   * of its own (through util-linux {@code setsid}), with SIGINT and SIGTERM at their defaults
   * (a build run in the background would otherwise pass SIGINT on ignored), so that a test can
   * signal the whole group as a terminal or {@code timeout} does. Its group id is its pid.
   */
  static SluiceProcess startInOwnGroup(Path dir, String... args) {
    return start(dir, List.of("setsid", "env", "--default-signal=INT,TERM"), List.of(),
        builder -> { }, args);
  }

  private static SluiceProcess start(Path dir, List<String> prefix, List<String> jvmOptions,
      java.util.function.Consumer<ProcessBuilder> setup, String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of(
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
        "-Dslf4j.internal.verbosity=WARN",
        // the test classpath carries both jars' slf4j providers; name the one sluice-full uses
        "-Dslf4j.provider=" + System.getProperty("slf4j.provider",
            "ch.qos.logback.classic.spi.LogbackServiceProvider"),
        "-cp", System.getProperty("java.class.path"), SluiceCommand.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    setup.accept(builder);
    try {
      return new SluiceProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code sluice ARGS…} with {@code input} as its whole stdin, and waits for it. */
  static SluiceProcess run(Path dir, String input, String... args) {
    SluiceProcess p = start(dir, args);
    p.write(input);
    p.closeInput();
    p.awaitExit();
    return p;
  }

  private static Thread pump(InputStream in, List<String> lines) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ended) {
        // the process is gone
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  void write(String text) {
    try {
      OutputStream in = process.getOutputStream();
      in.write(text.getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process's stdin, to stream more than a string holds comfortably. */
  OutputStream input() {
    return process.getOutputStream();
  }

  void closeInput() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends SIGTERM. Through the process's handle: {@code Process.destroy()} would also close
   * our ends of its pipes, losing what it prints while it drains.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** Sends SIGKILL: the process dies at once, with no chance to drain or acknowledge. */
  void kill() {
    process.toHandle().destroyForcibly();
  }

  /** Waits (at most a minute) for the exit and for both streams to be read to their end. */
  int awaitExit() {
    return awaitExit(java.time.Duration.ofMinutes(1));
  }

  /** Waits (at most {@code limit}) for the exit and for both streams to be read to their end. */
  int awaitExit(java.time.Duration limit) {
    try {
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("sluice did not exit within " + limit + "; stdout: " + out
            + "; stderr: " + err);
      }
      outPump.join(10_000);
      errPump.join(10_000);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  int exitCode() {
    return awaitExit();
  }

  List<String> out() {
    return List.copyOf(out);
  }

  List<String> err() {
    return List.copyOf(err);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
