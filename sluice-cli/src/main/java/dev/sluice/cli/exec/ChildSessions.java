package dev.sluice.cli.exec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keeps {@code --exec} children out of the runner's process group and session, and makes sure
 * none outlives the runner.
 *
 * <p><b>Why.</b> A terminal's Ctrl-C, {@code timeout} and a process-group kill signal every
 * process of the group. Children in sluice's group would die in the middle of their message,
 * while sluice itself drains; so each child is started through {@code setsid} (util-linux,
 * found at run time), which makes it the leader of a new session and process group whose id is
 * its pid. Only sluice then decides when a child stops. Java's {@code ProcessBuilder} cannot
 * call {@code setsid()} itself; the program is given to {@code setsid} as an argv array, never
 * through a shell.
 *
 * <p><b>The reaper.</b> A child in its own session is no longer stopped with the runner: after
 * {@code kill -9} of the JVM it would keep running. So each run starts one reaper, a fixed POSIX
 * {@code sh} script ({@link #REAPER_SCRIPT}, no user input in it) in a session of its own that
 * ignores INT, TERM, HUP and QUIT. Its stdin is a pipe whose only writer is this JVM (Java
 * closes inherited descriptors in the children it starts). The JVM writes {@code +PGID} when a
 * child starts and {@code kPGID} to kill a child's group and forget it. When the pipe ends —
 * the JVM exited, however it exited — the reaper sends TERM to every group it still knows, and
 * KILL one second later, then exits. A pure-JVM alternative (a shutdown hook) does not run on
 * {@code kill -9}; {@code prctl(PR_SET_PDEATHSIG)} needs native code and fires when the
 * spawning <em>thread</em> ends. A child started in the instant before its {@code +PGID}
 * reached the reaper is the one gap: its group is killed only if the JVM lives that long.
 *
 * <p>Where {@code setsid} is missing (not Linux, a minimal image), {@link #isolated} says so in
 * one notice and falls back to {@link #shared}: children stay in the runner's group, as before.
 *
 * <p><b>Threads.</b> Every method may be called from any thread; writes to the reaper are
 * serialised on this object.
 */
public final class ChildSessions implements AutoCloseable {

  /**
   * The reaper. Its input is only ever {@code +N} and {@code kN} lines with N a decimal
   * process-group id written by this class; anything else is skipped.
   */
  static final String REAPER_SCRIPT = """
      trap '' INT TERM HUP QUIT PIPE
      groups=' '
      while IFS= read -r line; do
        id=${line#?}
        case $id in ''|*[!0-9]*) continue ;; esac
        case $line in
          +*) groups="$groups$id " ;;
          k*) kill -s KILL -- "-$id" 2>/dev/null
              case $groups in *" $id "*) groups="${groups%% $id *} ${groups#* $id }" ;; esac ;;
        esac
      done
      [ "$groups" = ' ' ] && exit 0
      for id in $groups; do kill -s TERM -- "-$id" 2>/dev/null; done
      sleep 1
      for id in $groups; do kill -s KILL -- "-$id" 2>/dev/null; done
      """;

  private static final List<String> SETSID_PLACES = List.of("/usr/bin/setsid", "/bin/setsid");

  private final String setsid;          // null: children share the runner's group
  private final Process reaper;         // null with setsid == null
  private final OutputStream toReaper;  // guarded by this
  private boolean reaperGone;           // guarded by this: it died, or its input was closed

  private ChildSessions(String setsid, Process reaper) {
    this.setsid = setsid;
    this.reaper = reaper;
    this.toReaper = reaper == null ? null : reaper.getOutputStream();
  }

  /** Children in the runner's process group, no reaper: for tests and where setsid is absent. */
  public static ChildSessions shared() {
    return new ChildSessions(null, null);
  }

  /**
   * Children each in a session of their own, watched by a reaper; or, where {@code setsid}
   * cannot be found or the reaper cannot start, {@link #shared()} and one line to
   * {@code notices} saying so.
   *
   * @param searchPath a {@code PATH}-style list searched after the usual places
   */
  public static ChildSessions isolated(String searchPath, Consumer<String> notices) {
    String setsid = findSetsid(searchPath);
    if (setsid == null) {
      notices.accept("sluice run: setsid (util-linux) not found: --exec children share "
          + "sluice's process group, so a signal to the group also stops them mid-message");
      return shared();
    }
    ProcessBuilder builder = new ProcessBuilder(setsid, "/bin/sh", "-c", REAPER_SCRIPT,
        "sluice-reaper");
    builder.environment().clear();
    builder.environment().put("PATH", "/usr/bin:/bin");
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    try {
      return new ChildSessions(setsid, builder.start());
    } catch (IOException e) {
      notices.accept("sluice run: cannot start the child reaper (" + e.getMessage()
          + "): --exec children share sluice's process group");
      return shared();
    }
  }

  private static String findSetsid(String searchPath) {
    List<String> places = new ArrayList<>(SETSID_PLACES);
    if (searchPath != null) {
      for (String dir : searchPath.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          places.add(Path.of(dir, "setsid").toString());
        }
      }
    }
    for (String place : places) {
      Path path = Path.of(place);
      if (Files.isRegularFile(path) && Files.isExecutable(path)) {
        return place;
      }
    }
    return null;
  }

  /** True when children get sessions of their own. */
  public boolean isolates() {
    return setsid != null;
  }

  /** The argv that starts {@code command} in a session of its own (or as is, when shared). */
  List<String> argv(List<String> command) {
    if (setsid == null) {
      return command;
    }
    List<String> argv = new ArrayList<>(command.size() + 2);
    argv.add(setsid);
    argv.add("--");
    argv.addAll(command);
    return argv;
  }

  /**
   * Starts {@code command} with exactly {@code environment}, in its own session when this
   * isolates, and tells the reaper about its group (whose id is its pid).
   */
  Process start(List<String> command, Map<String, String> environment) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(argv(command));
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process = builder.start();
    tell("+" + process.pid());
    return process;
  }

  /**
   * Kills the process group that {@code pid} leads (the child and everything it started that
   * did not leave the group), and forgets it. Asynchronous: the reaper does it; the caller
   * kills the child itself too when it needs it gone at once.
   */
  void killGroup(long pid) {
    tell("k" + pid);
  }

  private synchronized void tell(String line) {
    if (toReaper == null || reaperGone) {
      return;
    }
    try {
      toReaper.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
      toReaper.flush();
    } catch (IOException e) {
      reaperGone = true;    // it died (killed from outside): nothing more it can do for us
    }
  }

  /**
   * Ends the reaper's input: it kills any group it still knows, then exits. Call after every
   * child has been closed or killed. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (toReaper == null || reaperGone) {
      return;
    }
    reaperGone = true;
    try {
      toReaper.close();
    } catch (IOException ignored) {
      // the reaper has gone already
    }
  }

  /** The reaper's pid, or -1 without one (tests). */
  long reaperPid() {
    return reaper == null ? -1 : reaper.pid();
  }
}
