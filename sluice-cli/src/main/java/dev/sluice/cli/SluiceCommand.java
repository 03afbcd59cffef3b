package dev.sluice.cli;

import dev.sluice.PipelineException;
import dev.sluice.cli.uri.ConnectionFailures;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code sluice} command. {@link #main} runs it on the process's standard streams;
 * {@link #commandLine} builds it on any pair of streams, which is how the tests run it.
 *
 * <p><b>Exit codes.</b> {@value #OK}: done; {@value #FAILED}: the run failed (its source or
 * sink broke); {@value #USAGE}: the command line was wrong — one line on stderr says what and
 * how to fix it, with no stack trace; {@value #DEAD_LETTERS}: {@code sluice run
 * --fail-on-dead-letter} dead-lettered messages.
 */
@Command(name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCommand.Version.class,
    description = "Keeps one consumer level with a fast event stream whose per-event work is "
        + "heavy: a bounded pool of workers between a source and a sink.",
    subcommands = {DemoCommand.class, RunCommand.class, CheckCommand.class, PlanCommand.class,
        CommandLine.HelpCommand.class})
public final class SluiceCommand implements Callable<Integer> {

  /** The run finished. */
  public static final int OK = 0;
  /** The run failed: its source or sink broke, or something unexpected went wrong. */
  public static final int FAILED = 1;
  /** The command line was wrong. */
  public static final int USAGE = 2;
  /** {@code sluice run --fail-on-dead-letter}: the run ended but dead-lettered messages. */
  public static final int DEAD_LETTERS = 3;

  private final PrintStream out;
  private final PrintStream err;

  private SluiceCommand(PrintStream out, PrintStream err) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
  }

  /** Runs {@code sluice} with {@code args} on the standard streams and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine(System.out, System.err).execute(args));
  }

  /**
   * The {@code sluice} command writing its output to {@code out} and its complaints to
   * {@code err}; run it with {@link CommandLine#execute}.
   */
  public static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new SluiceCommand(out, err));
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(SluiceCommand::badCommandLine);
    cli.setExecutionExceptionHandler(SluiceCommand::failed);
    return cli;
  }

  /** Where a subcommand writes its results. */
  PrintStream out() {
    return out;
  }

  /** Where a subcommand writes its complaints. */
  PrintStream err() {
    return err;
  }

  @Override
  public Integer call() {
    err.println("sluice: missing command. Try 'sluice demo' or 'sluice run', or 'sluice --help' "
        + "for the list.");
    return USAGE;
  }

  private static int badCommandLine(ParameterException e, String[] args) {
    CommandLine where = e.getCommandLine();
    StringBuilder line = new StringBuilder(where.getCommandSpec().qualifiedName())
        .append(": ").append(sentence(e.getMessage()));
    if (e instanceof UnmatchedArgumentException) {
      List<String> suggestions = ((UnmatchedArgumentException) e).getSuggestions();
      if (!suggestions.isEmpty()) {
        line.append(" Did you mean ").append(String.join(" or ", suggestions)).append('?');
      }
    }
    line.append(" Run '").append(where.getCommandSpec().qualifiedName())
        .append(" --help' for usage.");
    SluiceCommand root = root(where);
    root.err.println(line);
    return USAGE;
  }

  private static int failed(Exception e, CommandLine where, ParseResult parsed) {
    PrintStream err = root(where).err;
    String name = where.getCommandSpec().qualifiedName();
    if (e instanceof IllegalArgumentException) {
      // The builders check every setting and name the bad one: a usage error, not a crash.
      err.println(name + ": " + sentence(e.getMessage()) + " Run '" + name
          + " --help' for usage.");
      return USAGE;
    }
    if (e instanceof PipelineException) {
      err.println(name + ": the run failed: " + causes(e));
      return FAILED;
    }
    err.println(name + ": unexpected failure (a bug; please report it with this trace):");
    e.printStackTrace(err);
    return FAILED;
  }

  private static SluiceCommand root(CommandLine where) {
    CommandLine c = where;
    while (c.getParent() != null) {
      c = c.getParent();
    }
    return c.getCommand();
  }

  private static String sentence(String message) {
    String m = message == null ? "invalid input" : message.strip();
    return m.endsWith(".") || m.endsWith("?") ? m : m + ".";
  }

  /**
   * The failure and its causes' messages in one line, without Java class names: a cause with
   * no message of its own adds nothing (its wrapper already said what happened).
   */
  private static String causes(Throwable e) {
    StringBuilder s = new StringBuilder(
        ConnectionFailures.withoutClassNames(String.valueOf(e.getMessage())));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() == null || c.getMessage().isBlank()) {
        continue;
      }
      String m = ConnectionFailures.withoutClassNames(c.getMessage());
      if (!m.isEmpty() && s.indexOf(m) < 0) {     // a wrapper often repeats its cause's message
        s.append(": ").append(m);
      }
    }
    return s.toString();
  }

  /** Reads the version that the build wrote into {@code version.properties}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = SluiceCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
          "sluice " + p.getProperty("version", "(unknown version)"),
          "Java " + System.getProperty("java.version") + " ("
              + System.getProperty("java.vm.name") + ")"};
    }
  }
}
