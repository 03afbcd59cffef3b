package dev.sluice.cli.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The run a pipeline file and the command line's flags describe together, shown as a pipeline
 * file ({@code sluice check}): each option with its value from the file, the flags (marked) or
 * its default (marked), secrets as {@code ***} and references as written. Immutable once made;
 * made and read on the command's thread.
 */
public final class ResolvedPipeline {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=+][A-Za-z0-9_./:=+,-]*");
  private static final Set<String> LOOKS_TYPED = Set.of("true", "false", "null", "yes", "no",
      "on", "off", "~");

  private final Path file;
  private final List<String> lines = new ArrayList<>();

  ResolvedPipeline(Path file, CommandSpec spec, List<PipelineFile.Entry> entries,
      Set<String> fromFlags, ParseResult result) {
    this.file = file;
    Map<String, PipelineFile.Entry> byOption = PipelineFile.byOption(entries);
    for (OptionSpec option : spec.options()) {
      if (PipelineFile.isNotAKey(option)) {
        continue;
      }
      String name = option.longestName();
      String key = name.substring(2);
      List<String> values = new ArrayList<>();
      String note = "";
      if (fromFlags.contains(name)) {
        OptionSpec matched = result.matchedOption(name);
        if (PipelineFile.isFlag(option)) {
          values.add("true");
        } else {
          matched.stringValues().forEach(v -> values.add(Secrets.shown(option, v)));
        }
        note = "  # flag";
      } else if (byOption.containsKey(name)) {
        byOption.get(name).items().forEach(i -> values.add(i.shown()));
        if (values.isEmpty()) {
          values.add("false");
        }
      } else if (option.defaultValue() != null) {
        values.add(Secrets.shown(option, option.defaultValue()));
        note = "  # default";
      } else {
        continue;
      }
      if (option.isMultiValue()) {
        lines.add(key + ":" + note);
        values.forEach(v -> lines.add("  - " + quoted(v)));
      } else {
        String v = values.get(values.size() - 1);
        lines.add(key + ": " + (PipelineFile.isFlag(option) ? v : quoted(v)) + note);
      }
    }
  }

  /** The pipeline file that was read. */
  public Path file() {
    return file;
  }

  /** The resolved pipeline as YAML lines, secrets hidden. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** {@code value} as a YAML scalar that reads back as the same string. */
  static String quoted(String value) {
    if (PLAIN.matcher(value).matches() && !LOOKS_TYPED.contains(value.toLowerCase())) {
      return value;
    }
    return "'" + value.replace("'", "''") + "'";
  }
}
