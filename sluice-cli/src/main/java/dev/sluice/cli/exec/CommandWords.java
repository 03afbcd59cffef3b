package dev.sluice.cli.exec;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an {@code --exec} value into an argv array the way a POSIX shell splits words, and
 * finds its program, without ever running a shell: whitespace separates words; {@code '...'}
 * keeps everything literally; {@code "..."} keeps everything but {@code \"}, {@code \\},
 * {@code \$} and {@code \`}, which lose their backslash; outside quotes a backslash keeps the
 * next character literally. No variables, globs or redirections are expanded.
 *
 * <p>Stateless and thread-safe.
 */
public final class CommandWords {

  private CommandWords() {
  }

  /**
   * The words of {@code command}.
   *
   * @throws IllegalArgumentException if a quote is not closed, a backslash ends the text, or
   *                                  there are no words
   */
  public static List<String> split(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    while (i < command.length()) {
      char c = command.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        i++;
      } else if (c == '\'') {
        int close = command.indexOf('\'', i + 1);
        if (close < 0) {
          throw new IllegalArgumentException("--exec '" + command
              + "' has an unclosed single quote");
        }
        word.append(command, i + 1, close);
        inWord = true;
        i = close + 1;
      } else if (c == '"') {
        i = doubleQuoted(command, i + 1, word);
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 >= command.length()) {
          throw new IllegalArgumentException("--exec '" + command + "' ends with a backslash");
        }
        word.append(command.charAt(i + 1));
        inWord = true;
        i += 2;
      } else {
        word.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("--exec is empty: give a command, e.g. --exec 'python3 score.py'");
    }
    return List.copyOf(words);
  }

  /** Reads a double-quoted part starting after the quote; returns the index after the closing quote. */
  private static int doubleQuoted(String command, int from, StringBuilder word) {
    int i = from;
    while (i < command.length()) {
      char c = command.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\' && i + 1 < command.length() && "\"\\$`".indexOf(command.charAt(i + 1)) >= 0) {
        word.append(command.charAt(i + 1));
        i += 2;
      } else {
        word.append(c);
        i++;
      }
    }
    throw new IllegalArgumentException("--exec '" + command + "' has an unclosed double quote");
  }

  /**
   * The executable file that {@code program} names: itself when it contains a {@code /},
   * otherwise the first match on {@code searchPath} (a {@code PATH}-style list).
   *
   * @throws IllegalArgumentException saying what is missing or not executable, and what to do
   */
  public static Path resolve(String program, String searchPath) {
    if (program.contains("/")) {
      Path path = Path.of(program);
      if (!Files.exists(path)) {
        throw new IllegalArgumentException("--exec: '" + program + "' does not exist");
      }
      if (Files.isDirectory(path) || !Files.isExecutable(path)) {
        throw new IllegalArgumentException("--exec: '" + program
            + "' is not executable (chmod +x it, or run it through its interpreter, "
            + "e.g. --exec 'python3 " + program + "')");
      }
      return path;
    }
    if (searchPath != null) {
      for (String dir : searchPath.split(File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalArgumentException("--exec: command '" + program
        + "' not found on PATH (give its full path, or install it)");
  }
}
