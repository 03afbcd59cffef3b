package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the tests of {@code --exec} children need to know about processes that Java's
 * {@link ProcessHandle} does not tell: process groups, and whether a process still runs (a
 * zombie that no one has reaped yet — this machine's PID 1 may never reap — does not).
 * Linux only: reads {@code /proc}.
 */
final class ChildProcesses {

  private ChildProcesses() {
  }

  /** The pids of the running (not zombie) processes whose process group is one of {@code groups}. */
  static List<Long> runningIn(Collection<Long> groups) {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        String[] stat = stat(Long.parseLong(name));
        if (stat != null && !stat[0].equals("Z") && groups.contains(Long.parseLong(stat[2]))) {
          found.add(Long.parseLong(name));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return found;
  }

  /** True while {@code pid} exists and is not a zombie. */
  static boolean running(long pid) {
    String[] stat = stat(pid);
    return stat != null && !stat[0].equals("Z");
  }

  /** The process group of {@code pid}, or -1 if it has gone. */
  static long groupOf(long pid) {
    String[] stat = stat(pid);
    return stat == null ? -1 : Long.parseLong(stat[2]);
  }

  /** The fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, …; null if gone. */
  private static String[] stat(long pid) {
    try {
      String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return text.substring(text.lastIndexOf(')') + 2).split(" ");
    } catch (IOException gone) {
      return null;
    }
  }

  /** Sends {@code signal} (e.g. "TERM") to the process group {@code group}, as a terminal or systemd does. */
  static void signalGroup(String signal, long group) {
    kill("-" + signal, "--", "-" + group);
  }

  /** Sends {@code signal} to one process. */
  static void signal(String signal, long pid) {
    kill("-" + signal, Long.toString(pid));
  }

  private static void kill(String... args) {
    List<String> argv = new ArrayList<>(List.of("kill"));
    argv.addAll(List.of(args));
    try {
      Process kill = new ProcessBuilder(argv).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new AssertionError("kill " + String.join(" ", args) + " failed");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The pids written one a line to {@code file} (by children, as {@code echo $$ >> file}). */
  static List<Long> pidsIn(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(Long::parseLong)
        .toList();
  }
}
