package dev.sluice.cli.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's README.md cut into its fenced code blocks. Immutable; thread-safe.
 *
 * <p>A block is found by a <em>fingerprint</em>: a piece of its text that no other block holds,
 * so the test names the snippet it runs the way a reader would recognise it, and a README edit
 * that moves or reorders blocks changes nothing.
 */
record Readme(Path file, List<Block> blocks) {

  private static final Pattern FENCE = Pattern.compile("^(```+)\\s*(\\S*).*$");

  /** One fenced block: the README line its opening fence is on, its info string, its text. */
  record Block(int line, String info, String text) {

    /** A copy with {@code literal} replaced by {@code replacement} everywhere it occurs. */
    Block replace(String literal, String replacement) {
      if (!text.contains(literal)) {
        throw new AssertionError("README block at line " + line + " no longer contains "
            + "\"" + literal + "\", which ReadmeSnippetsTest replaces to run it against local "
            + "servers: the README changed; update the scenario's substitution");
      }
      return new Block(line, info, text.replace(literal, replacement));
    }

    /** True for the blocks every reader is told to run: {@code sh} and {@code java}. */
    boolean runnable() {
      return info.equals("sh") || info.equals("java");
    }
  }

  /** README.md at the repository root, found from the module directory Maven runs tests in. */
  static Readme load() {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !(Files.isRegularFile(root.resolve("README.md"))
        && Files.isDirectory(root.resolve("sluice-cli")))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IllegalStateException("no README.md next to sluice-cli above "
          + Path.of("").toAbsolutePath());
    }
    return parse(root.resolve("README.md"));
  }

  static Readme parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      String fence = open.group(1);
      StringBuilder text = new StringBuilder();
      int j = i + 1;
      while (j < lines.size() && !lines.get(j).strip().equals(fence)) {
        text.append(lines.get(j)).append('\n');
        j++;
      }
      if (j == lines.size()) {
        throw new AssertionError(file + ": the code block at line " + (i + 1) + " is not closed");
      }
      blocks.add(new Block(i + 1, open.group(2), text.toString()));
      i = j;
    }
    return new Readme(file, List.copyOf(blocks));
  }

  /** The repository root (README.md's directory). */
  Path root() {
    return file.getParent();
  }

  /** The blocks containing {@code fingerprint}. */
  List<Block> matching(String fingerprint) {
    return blocks.stream().filter(b -> b.text().contains(fingerprint)).toList();
  }

  /** The one block containing {@code fingerprint}; fails if none or several do. */
  Block block(String fingerprint) {
    List<Block> found = matching(fingerprint);
    if (found.size() != 1) {
      throw new AssertionError(found.isEmpty()
          ? "no README block contains \"" + fingerprint + "\": the README changed; update the "
              + "scenario in ReadmeSnippetsTest"
          : "several README blocks contain \"" + fingerprint + "\" (lines "
              + found.stream().map(b -> Integer.toString(b.line())).toList()
              + "): make the fingerprint in ReadmeSnippetsTest distinctive");
    }
    return found.get(0);
  }
}
