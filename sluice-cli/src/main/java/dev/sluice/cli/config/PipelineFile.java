package dev.sluice.cli.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * A pipeline file ({@code sluice run -c pipeline.yaml}): a YAML mapping with one key per
 * option of {@code sluice run}, named as the option without its dashes ({@code workers: 4} is
 * {@code --workers 4}). The keys are read from the command's picocli model, so every option
 * the command has is a key, and each value is checked by the option's own converter.
 *
 * <ul>
 *   <li>a flag ({@code quiet}, {@code fail-on-dead-letter}) takes {@code true} or
 *       {@code false};</li>
 *   <li>a repeatable option takes a list (or one value); a {@code NAME=VALUE} option (headers,
 *       {@code exec-env}) also takes a mapping of names to values;</li>
 *   <li>{@code ${VAR}} and {@code ${VAR:-default}} in a value are replaced from the
 *       environment ({@code $${} for a literal {@code ${});</li>
 *   <li>a value written {@code @env:VAR} or {@code @file:PATH} is read from that variable or
 *       file (surrounding whitespace stripped); header options read such references
 *       themselves. Secrets (see {@link Secrets}) may be written only this way.</li>
 * </ul>
 * Options given on the command line win over the file's (a repeatable one's list is replaced,
 * not extended). A mistake is one line naming the file, line and column and what to write.
 *
 * <p>Stateless; {@link #apply} parses into the given {@link CommandLine}, so call it from the
 * thread that runs that command.
 */
public final class PipelineFile {

  /** The option that names the pipeline file, which the file itself cannot set. */
  public static final String FILE_OPTION = "--config";

  private PipelineFile() {
  }

  /** One occurrence of an option: its argument (null for a flag) and how it may be shown. */
  record Item(String argument, String shown, Mark mark) {
  }

  /** A key of the file: its option and its values in order. */
  record Entry(OptionSpec option, String key, List<Item> items) {
  }

  /**
   * Parses {@code flags} with the file's options under them into {@code command} (the
   * {@code run} command's, or one with the same options), so its option fields hold the
   * resolved run.
   *
   * @param command the command to fill
   * @param file    the pipeline file
   * @param flags   the command line's own options, which win over the file
   * @param env     the environment for {@code ${VAR}} and {@code @env:VAR}
   * @return the resolved pipeline, to show
   * @throws IllegalArgumentException (a {@link PipelineFileException} for the file's own
   *                                  mistakes) in one line
   */
  public static ResolvedPipeline apply(CommandLine command, Path file, List<String> flags,
      Map<String, String> env) {
    Set<String> fromFlags = parse(command, flags, null).matchedOptions().stream()
        .map(OptionSpec::longestName).collect(Collectors.toSet());
    List<Entry> entries = read(command.getCommandSpec(), file, env);
    for (Entry entry : entries) {
      for (Item item : entry.items()) {
        List<String> one = new ArrayList<>(List.of(entry.option().longestName()));
        if (item.argument() != null) {
          one.add(item.argument());
        }
        parse(command, one, failure -> error(file, item.mark(), entry.key() + ": "
            + sentence(failure.getMessage()) + " Write " + example(entry)));
      }
    }
    List<String> merged = new ArrayList<>();
    for (Entry entry : entries) {
      if (!fromFlags.contains(entry.option().longestName())) {
        for (Item item : entry.items()) {
          merged.add(entry.option().longestName());
          if (item.argument() != null) {
            merged.add(item.argument());
          }
        }
      }
    }
    merged.addAll(flags);
    ParseResult result = parse(command, merged, failure ->
        new IllegalArgumentException(file + ": " + failure.getMessage()));
    return new ResolvedPipeline(file, command.getCommandSpec(), entries, fromFlags, result);
  }

  private interface Failure {
    IllegalArgumentException explain(ParameterException failure);
  }

  private static ParseResult parse(CommandLine command, List<String> args, Failure failure) {
    try {
      return command.parseArgs(args.toArray(String[]::new));
    } catch (ParameterException e) {
      throw failure != null ? failure.explain(e) : new IllegalArgumentException(e.getMessage());
    }
  }

  private static List<Entry> read(CommandSpec spec, Path file, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new PipelineFileException(file + ": no such file");
    } catch (IOException e) {
      throw new PipelineFileException(file + ": cannot be read (" + e.getMessage() + ")");
    }
    Optional<Node> root;
    try {
      // What snakeyaml-engine's Compose.composeString does; its package (api.lowlevel) is not
      // exported by the library's module, these are.
      LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
      root = new Composer(settings, new ParserImpl(settings,
          new StreamReader(settings, new StringReader(text)))).getSingleNode();
    } catch (MarkedYamlEngineException e) {
      Mark at = e.getProblemMark().or(e::getContextMark).orElse(null);
      throw error(file, at, "not valid YAML: " + e.getProblem() + ". Write one 'key: value' "
          + "per line, e.g. 'workers: 4'");
    } catch (YamlEngineException e) {
      throw new PipelineFileException(file + ": not valid YAML: " + e.getMessage());
    }
    if (root.isEmpty()) {
      throw new PipelineFileException(file + ":1:1: the file is empty. Write one key per "
          + "option of sluice run, e.g. 'workers: 4'");
    }
    if (!(root.get() instanceof MappingNode mapping)) {
      throw error(file, mark(root.get()), "the file must be a mapping of sluice run's "
          + "options, e.g. 'workers: 4', not a " + kind(root.get()));
    }
    Map<String, Mark> seen = new HashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode keyScalar)) {
        throw error(file, mark(keyNode), "a key must be an option's name, e.g. 'workers', "
            + "not a " + kind(keyNode));
      }
      String key = keyScalar.getValue();
      OptionSpec option = optionFor(spec, key, file, mark(keyNode));
      Mark first = seen.putIfAbsent(option.longestName(), mark(keyNode));
      if (first != null) {
        throw error(file, mark(keyNode), "'" + key + "' is given twice (first on line "
            + (first.getLine() + 1) + "). Keep one");
      }
      entries.add(new Entry(option, key, items(file, option, key, tuple.getValueNode(), env)));
    }
    return entries;
  }

  private static OptionSpec optionFor(CommandSpec spec, String key, Path file, Mark at) {
    if (key.startsWith("-")) {
      String bare = key.replaceFirst("^-+", "");
      throw error(file, at, "'" + key + "': write the key without dashes, '" + bare + ":'");
    }
    OptionSpec option = spec.findOption("--" + key);
    if (option == null || !option.longestName().equals("--" + key) || isNotAKey(option)) {
      List<String> keys = keys(spec);
      String near = Suggestions.nearest(key, keys);
      throw error(file, at, "unknown key '" + key + "'"
          + (near != null ? ": did you mean '" + near + "'?" : ".")
          + " The keys are sluice run's options without '--' (see sluice run --help)");
    }
    return option;
  }

  /** The file's keys: the command's options without their dashes. */
  static List<String> keys(CommandSpec spec) {
    return spec.options().stream().filter(o -> !isNotAKey(o))
        .map(o -> o.longestName().replaceFirst("^-+", "")).toList();
  }

  static boolean isNotAKey(OptionSpec option) {
    return option.usageHelp() || option.versionHelp()
        || option.longestName().equals(FILE_OPTION) || !option.longestName().startsWith("--");
  }

  static boolean isFlag(OptionSpec option) {
    return option.arity().max() == 0;
  }

  private static List<Item> items(Path file, OptionSpec option, String key, Node value,
      Map<String, String> env) {
    List<Item> items = new ArrayList<>();
    if (isFlag(option)) {
      if (!(value instanceof ScalarNode s) || !s.getTag().equals(Tag.BOOL)) {
        throw error(file, mark(value), key + " is a flag: write '" + key + ": true' or '"
            + key + ": false'");
      }
      if (Boolean.parseBoolean(s.getValue().toLowerCase(java.util.Locale.ROOT))) {
        items.add(new Item(null, "true", mark(value)));
      }
      return items;
    }
    if (value instanceof ScalarNode s) {
      if (s.getTag().equals(Tag.NULL)) {
        throw error(file, mark(value), key + " has no value. Write " + example(option, key)
            + ", or leave the key out");
      }
      items.add(item(file, option, key, s, null, env));
    } else if (value instanceof SequenceNode list && option.isMultiValue()) {
      for (Node element : list.getValue()) {
        if (!(element instanceof ScalarNode s)) {
          throw error(file, mark(element), key + ": each item must be one value, not a "
              + kind(element));
        }
        items.add(item(file, option, key, s, null, env));
      }
    } else if (value instanceof MappingNode map && option.isMultiValue()
        && Secrets.isAssignment(option)) {
      for (NodeTuple pair : map.getValue()) {
        if (!(pair.getKeyNode() instanceof ScalarNode name)
            || !(pair.getValueNode() instanceof ScalarNode s)) {
          throw error(file, mark(pair.getKeyNode()), key + ": write each entry as "
              + "'NAME: VALUE'");
        }
        items.add(item(file, option, key, s, name.getValue(), env));
      }
    } else {
      throw error(file, mark(value), key + " takes " + (option.isMultiValue()
          ? "a list of values" : "one value") + ", not a " + kind(value) + ". Write "
          + example(option, key));
    }
    return items;
  }

  /** One value: a reference read, variables expanded, a secret written inline refused. */
  private static Item item(Path file, OptionSpec option, String key, ScalarNode node,
      String name, Map<String, String> env) {
    String raw = node.getValue();
    Mark at = mark(node);
    boolean listed = name == null && Secrets.isAssignment(option) && raw.indexOf('=') > 0;
    if (listed) {
      name = raw.substring(0, raw.indexOf('='));
      raw = raw.substring(raw.indexOf('=') + 1);
    }
    String what = name == null ? key : key + " " + name;
    boolean secret = name == null ? Secrets.isSecretOption(option) : Secrets.isSecretName(name);
    String prefix = name == null ? "" : name + "=";
    if (Secrets.isReference(raw)) {
      if (Secrets.readsReferences(option)) {
        return new Item(prefix + raw, prefix + raw, at);
      }
      return new Item(prefix + dereference(file, at, what, raw, env), prefix + raw, at);
    }
    if (secret) {
      String write = listed ? "'" + name + "=@env:VAR' or '" + name + "=@file:PATH'"
          : "\"" + (name == null ? key : name) + ": '@env:VAR'\" or \"'@file:PATH'\"";
      throw error(file, at, what + " is a secret: never write its value in the file. Write "
          + write + " instead");
    }
    if (Secrets.carriesSecret(raw)) {
      throw error(file, at, what + ": the URI carries a password or token: never write it in "
          + "the file. Write \"" + key + ": '@env:VAR'\" or \"'@file:PATH'\" for the whole "
          + "URI, or give an MQTT password with password-file");
    }
    String expanded;
    try {
      expanded = Variables.expand(raw, env);
    } catch (IllegalArgumentException e) {
      throw error(file, at, what + ": " + e.getMessage());
    }
    if (Secrets.carriesSecret(expanded)) {
      throw error(file, at, what + ": the URI from " + raw + " carries a password or token; "
          + "secrets come only from references: write \"" + key + ": '@env:VAR'\" instead");
    }
    return new Item(prefix + expanded, Secrets.shown(option, prefix + expanded), at);
  }

  private static String dereference(Path file, Mark at, String what, String reference,
      Map<String, String> env) {
    if (reference.startsWith("@env:")) {
      String variable = reference.substring("@env:".length());
      String value = env.get(variable);
      if (value == null) {
        throw error(file, at, what + ": environment variable " + variable + " (from "
            + reference + ") is not set. Set it, or write @file:PATH");
      }
      return value;
    }
    String path = reference.substring("@file:".length());
    try {
      return Files.readString(Path.of(path)).strip();
    } catch (IOException | RuntimeException e) {
      throw error(file, at, what + ": cannot read " + path + " (from " + reference
          + "). Write the path of a readable file, or @env:VAR");
    }
  }

  private static String example(Entry entry) {
    return example(entry.option(), entry.key());
  }

  private static String example(OptionSpec option, String key) {
    if (isFlag(option)) {
      return "'" + key + ": true'";
    }
    return "'" + key + ": " + option.paramLabel() + "'";
  }

  private static String kind(Node node) {
    return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list"
        : "single value";
  }

  private static Mark mark(Node node) {
    return node.getStartMark().orElse(null);
  }

  private static String sentence(String message) {
    String m = message == null ? "invalid value" : message.strip();
    return m.endsWith(".") ? m : m + ".";
  }

  static PipelineFileException error(Path file, Mark at, String message) {
    String where = at == null ? file.toString()
        : file + ":" + (at.getLine() + 1) + ":" + (at.getColumn() + 1);
    return new PipelineFileException(where + ": " + message);
  }

  /** The keys given in the file, by option, in the file's order. */
  static Map<String, Entry> byOption(List<Entry> entries) {
    Map<String, Entry> map = new LinkedHashMap<>();
    entries.forEach(e -> map.put(e.option().longestName(), e));
    return map;
  }
}
