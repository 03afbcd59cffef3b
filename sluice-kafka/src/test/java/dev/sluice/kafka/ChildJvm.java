package dev.sluice.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link GroupMember} in its own JVM, with its output collected. */
final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  private ChildJvm(Process process) {
    this.process = process;
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

  static ChildJvm start(String... args) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-XX:+ExitOnOutOfMemoryError", "-cp", classpath, GroupMember.class.getName()));
    command.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  void awaitReady() throws Exception {
    ready.get(120, TimeUnit.SECONDS);
  }

  /** SIGKILL: no shutdown hook, no commit, no leaving the group. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes stdin, so the member drains and exits; returns its exit code. */
  int stop() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("child did not stop:\n" + output);
    }
    return process.exitValue();
  }

  String output() {
    return output.toString();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
