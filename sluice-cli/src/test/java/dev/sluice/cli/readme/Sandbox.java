package dev.sluice.cli.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.SluiceCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A reader's working directory, in a fresh temporary directory: what a README snippet may
 * assume is there, and nothing else. Not thread-safe: one scenario uses it.
 *
 * <ul>
 *   <li>{@code ./sluice}: a stand-in for the repository's launcher. The real one runs
 *       {@code sluice-cli/target/sluice.jar}, which Maven builds only at {@code package}, after
 *       the tests; this one runs the same main class from the test classpath, as
 *       {@code SluiceProcess} does for the other CLI tests.
 *   <li>Whatever else a scenario adds: fixtures (an executable {@code ./score}, input files,
 *       secrets, trust stores) and the fake {@code sluice-cli/target/sluice.jar}.
 * </ul>
 */
final class Sandbox {

  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  static final String CLASSPATH = System.getProperty("java.class.path");
  /** The JVM options the CLI tests run the command with: a quick start, quiet slf4j. */
  static final List<String> JVM_OPTIONS = List.of(
      "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
      "-Dslf4j.internal.verbosity=WARN",
      // the test classpath carries both jars' slf4j providers; name the one sluice-full uses
      "-Dslf4j.provider=" + System.getProperty("slf4j.provider",
          "ch.qos.logback.classic.spi.LogbackServiceProvider"));

  final Path dir;

  Sandbox(Path dir) {
    this.dir = dir;
    assertThat(CLASSPATH).as("the test classpath, quoted in ./sluice").doesNotContain("'");
    executable("sluice", "#!/usr/bin/env bash\n"
        + "# Stands in for the repository's ./sluice: the same command, from the test classpath.\n"
        + "exec " + quoted(JAVA) + " " + JVM_OPTIONS.stream().map(Sandbox::quoted)
            .collect(Collectors.joining(" "))
        + " -cp " + quoted(CLASSPATH) + " " + SluiceCommand.class.getName() + " \"$@\"\n");
  }

  private static String quoted(String word) {
    return "'" + word + "'";
  }

  /** Writes {@code text} to {@code name} (a relative path; parent directories are made). */
  Path file(String name, String text) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes an executable script. */
  Path executable(String name, String text) {
    Path file = file(name, text);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  String read(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<String> lines(String name) {
    Path file = dir.resolve(name);
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a shell block with bash, as a reader would paste it, except that a failing command
   * ends it at once ({@code -e -o pipefail}) so the failure is the one reported.
   */
  Child sh(Readme.Block block, Map<String, String> env) {
    file("snippet-" + block.line() + ".sh", block.text());
    return Child.start("README block at line " + block.line() + " (sh)", dir, env,
        List.of("bash", "-e", "-o", "pipefail", "snippet-" + block.line() + ".sh"));
  }

  /**
   * {@code sluice-cli/target/sluice.jar} for a snippet that compiles against it. The real jar
   * is built at {@code package}, after the tests; this one holds nothing but a manifest whose
   * {@code Class-Path} lists the test classpath (the same classes the real jar bundles), which
   * javac and java both follow. Entries are relative to the jar, as the manifest format wants.
   */
  void fakeSluiceJar() {
    Path target = dir.resolve("sluice-cli/target");
    String classPath = Arrays.stream(CLASSPATH.split(java.io.File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .map(entry -> {
          Path path = Path.of(entry).toAbsolutePath();
          String relative = target.relativize(path).toString().replace(" ", "%20");
          return Files.isDirectory(path) ? relative + "/" : relative;
        })
        .collect(Collectors.joining(" "));
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, SluiceCommand.class.getName());
    try {
      Files.createDirectories(target);
      try (OutputStream out = Files.newOutputStream(target.resolve("sluice.jar"));
          JarOutputStream jar = new JarOutputStream(out, manifest)) {
        jar.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Compiles Java sources (relative to the sandbox) into {@code classes/} against the test
   * classpath, with the JDK's compiler in this JVM; fails with javac's messages.
   */
  Path compile(String... sources) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler (this runs on a JRE?)").isNotNull();
    Path classes = dir.resolve("classes");
    List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none",
        "-cp", CLASSPATH, "-d", classes.toString()));
    for (String source : sources) {
      args.add(dir.resolve(source).toString());
    }
    ByteArrayOutputStream messages = new ByteArrayOutputStream();
    int rc = javac.run(null, messages, messages, args.toArray(String[]::new));
    assertThat(rc).as("javac %s:\n%s", String.join(" ", sources),
        messages.toString(StandardCharsets.UTF_8)).isZero();
    return classes;
  }

  /** Runs {@code mainClass} from {@code classes/} and the test classpath in a child JVM. */
  Child java(String name, Map<String, String> env, List<String> jvmOptions, String mainClass) {
    List<String> argv = new ArrayList<>(List.of(JAVA));
    argv.addAll(JVM_OPTIONS);
    argv.addAll(jvmOptions);
    argv.addAll(List.of("-cp", dir.resolve("classes") + java.io.File.pathSeparator + CLASSPATH,
        mainClass));
    return Child.start(name, dir, env, argv);
  }

  /**
   * {@code ./score --json}, the README's stand-in for the reader's scorer: answers each
   * {@code {"payload":"P",…}} line with {@code {"result":"scored P"}}, flushed.
   */
  void scorer() {
    executable("score", String.join("\n",
        "#!/usr/bin/env bash",
        "# The README's ./score --json: one JSON result per JSON message, flushed.",
        "[[ \"${1:-}\" == --json ]] || { echo 'usage: ./score --json' >&2; exit 2; }",
        "exec sed -u 's/^.*\"payload\":\"\\([^\"]*\\)\".*$/{\"result\":\"scored \\1\"}/'",
        ""));
  }
}
