package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.Ordering;
import dev.sluice.cli.config.PipelineFile;
import dev.sluice.cli.config.PipelineFileException;
import dev.sluice.cli.config.ResolvedPipeline;
import dev.sluice.cli.exec.ChildEnvironment;
import dev.sluice.cli.exec.CommandWords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code sluice check -c pipeline.yaml [run options]}: reads a pipeline file as
 * {@code sluice run -c} would, checks everything that can be checked without connecting
 * (every key and value, the options together, key expressions, that the {@code exec} program
 * exists) and prints the resolved pipeline with its secrets hidden. Exit 0 when valid, 2 with
 * one line (file, line, column, what to write) when not.
 *
 * <p>Runs on the command's thread only.
 */
@Command(name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCommand.Version.class,
    description = {
        "Checks a pipeline file for 'sluice run -c FILE' without connecting to anything, and "
            + "prints the run it describes with secrets hidden.",
        "Options of 'sluice run' given after the file win over the file's, as they would for run.",
        "Example: sluice check -c pipeline.yaml --workers 8"})
final class CheckCommand implements Callable<Integer> {

  @ParentCommand
  private SluiceCommand parent;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true,
      description = "The pipeline file to check.")
  private Path config;

  @Unmatched
  private List<String> runOptions = new ArrayList<>();

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine run = spec.parent().subcommands().get("run");
    ResolvedPipeline resolved = PipelineFile.apply(run, config, runOptions, System.getenv());
    RunOptions options = (RunOptions) run.getCommandSpec().mixins().get("options").userObject();
    try {
      check(options);
    } catch (PipelineFileException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(config + ": " + e.getMessage(), e);
    }
    parent.out().println("# " + config + " is valid (nothing was connected). The run it "
        + "describes, flags over the file:");
    resolved.lines().forEach(parent.out()::println);
    return SluiceCommand.OK;
  }

  /** What {@code sluice run} checks before it connects. */
  private static void check(RunOptions options) {
    options.check();
    Function<Message<String>, Object> key = null;
    if (options.orderingMode() == Ordering.BY_KEY) {
      key = KeyExpression.parse(options.ordering.strip().substring("key=".length()));
    }
    PartitionOption.key(options.partitionKey, key);
    options.retryPolicy();
    options.passwordFilePath();
    if (options.exec != null) {
      List<String> argv = CommandWords.split(options.exec);
      CommandWords.resolve(argv.get(0),
          ChildEnvironment.of(System.getenv(), options.execEnv).get("PATH"));
    }
  }
}
