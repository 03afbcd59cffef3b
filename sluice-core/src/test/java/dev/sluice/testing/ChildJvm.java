package dev.sluice.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test's main class in its own JVM (the test's classpath), with its output collected: for
 * tests that kill a pipeline with SIGKILL or run several group members. The child prints
 * {@code READY} when it is ready, drains and exits when its stdin closes.
 *
 * <p>Shared by the connector modules' tests through sluice-core's test-jar. Thread-safe: the
 * output is collected by a daemon thread.
 */
public final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final Duration patience;
  private final StringBuffer output = new StringBuffer();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  private ChildJvm(Process process, Duration patience) {
    this.process = process;
    this.patience = patience;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.append(line).append('\n');
          if (line.equals("READY")) {
            ready.complete(null);
          }
        }
      } catch (IOException e) {
        // the child died
      }
      ready.completeExceptionally(new IllegalStateException("child exited before READY:\n"
          + output));
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} with {@code args} in a JVM of at most {@code maxHeap} (e.g. "256m");
   * {@code patience} bounds each wait on it (ready, stop).
   */
  public static ChildJvm start(Class<?> main, String maxHeap, Duration patience, String... args)
      throws IOException {
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-XX:+ExitOnOutOfMemoryError", "-cp", classpath, main.getName()));
    command.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start(), patience);
  }

  /** Waits for the child's {@code READY} line. */
  public void awaitReady() throws Exception {
    ready.get(patience.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** SIGKILL: no shutdown hook runs, nothing more is sent (no DISCONNECT, commit or ack). */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes stdin, so the child drains and exits; returns its exit code. */
  public int stop() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("child did not stop:\n" + output);
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the child printed so far, stdout and stderr together. */
  public String output() {
    return output.toString();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
