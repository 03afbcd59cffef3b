package dev.sluice.mqtt.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker process for tests: started from a configuration the caller writes
 * (listeners on 127.0.0.1 and free ports, TLS, a password file), stopped and restarted on the
 * same ports, its log kept in its folder. Where {@code /usr/sbin/mosquitto} is missing,
 * {@link #installed()} is false: tests then skip, except in CI ({@code CI=true}), where
 * {@link #requiredButMissing()} tells them to fail instead.
 *
 * <p><b>Threads.</b> Not thread-safe: one test thread starts, restarts and closes it.
 */
public final class Mosquitto implements AutoCloseable {

  /** Where Debian's package installs the broker. */
  public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Path dir;
  private final List<Integer> ports;
  private Process process;

  private Mosquitto(Path dir, List<Integer> ports) {
    this.dir = dir;
    this.ports = List.copyOf(ports);
  }

  /** Whether the broker is installed here. */
  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** True where CI runs ({@code CI=true}) and Mosquitto is missing: a test must fail, not skip. */
  public static boolean requiredButMissing() {
    return !installed() && "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** A free TCP port on 127.0.0.1 (free when asked; the broker binds it soon after). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One line of a Mosquitto {@code password_file} for {@code user}: the {@code $6$} form
   * (base64 salt, base64 SHA-512 of password then salt) that Mosquitto 2 reads, so no
   * {@code mosquitto_passwd} is needed.
   */
  public static String passwordLine(String user, String password) {
    byte[] salt = new byte[12];
    new SecureRandom().nextBytes(salt);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-512");
      sha.update(password.getBytes(StandardCharsets.UTF_8));
      sha.update(salt);
      Base64.Encoder b64 = Base64.getEncoder();
      return user + ":$6$" + b64.encodeToString(salt) + "$" + b64.encodeToString(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes {@code config} (lines; the caller's listeners must be on {@code ports}) to
   * {@code dir/mosquitto.conf}, starts the broker and waits until every port accepts.
   *
   * @throws IllegalStateException with the broker's log if it does not start within 10 s
   */
  public static Mosquitto start(Path dir, List<Integer> ports, List<String> config) {
    Objects.requireNonNull(dir, "dir");
    try {
      Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n", config) + "\n"
          + "log_dest file " + dir.resolve("mosquitto.log") + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Mosquitto broker = new Mosquitto(dir, ports);
    broker.launch();
    return broker;
  }

  private void launch() {
    try {
      process = new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (int port : ports) {
      while (!accepts(port)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IllegalStateException("mosquitto did not start on port " + port + ": "
              + log());
        }
        pause();
      }
    }
  }

  private static void pause() {
    try {
      // polling a port that is about to open: there is nothing to wait on but time
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the broker (SIGTERM: it saves its sessions) and waits for it to exit. */
  public void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the broker and starts it again with the same configuration and ports. */
  public void restart() {
    stop();
    launch();
  }

  /** Starts a {@link #stop}ped broker again with the same configuration and ports. */
  public void startAgain() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("mosquitto is running");
    }
    launch();
  }

  /** The broker's log and its standard output so far. */
  public String log() {
    StringBuilder s = new StringBuilder();
    for (String name : List.of("mosquitto.log", "stdout.log")) {
      Path file = dir.resolve(name);
      try {
        if (Files.exists(file)) {
          s.append(Files.readString(file));
        }
      } catch (IOException e) {
        s.append("(cannot read ").append(file).append(")");
      }
    }
    return s.toString();
  }

  @Override
  public void close() {
    stop();
  }
}
