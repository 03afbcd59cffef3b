package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layering, as the compiler keeps it: every Sluice module's descriptor exports its API (and
 * core its SPI) and nothing else, no {@code internal} package among them; and a module that
 * imports the engine's internals does not compile, where the same module importing the API does.
 *
 * <p>Each descriptor is read from where the module's classes are (a jar, or {@code target/classes}
 * in the reactor), so the test runs on the class path like the rest of the command's tests.
 */
class ModuleBoundariesTest {

  static Stream<Arguments> modules() {
    return Stream.of(
        Arguments.of(dev.sluice.Sluice.class, "dev.sluice.core",
            Set.of("dev.sluice", "dev.sluice.spi")),
        Arguments.of(dev.sluice.websocket.WebSocketSource.class, "dev.sluice.websocket",
            Set.of("dev.sluice.websocket")),
        Arguments.of(dev.sluice.mqtt.MqttSource.class, "dev.sluice.mqtt",
            Set.of("dev.sluice.mqtt")),
        Arguments.of(dev.sluice.kafka.KafkaSource.class, "dev.sluice.kafka",
            Set.of("dev.sluice.kafka")),
        Arguments.of(dev.sluice.sqs.SqsSource.class, "dev.sluice.sqs", Set.of("dev.sluice.sqs")),
        Arguments.of(dev.sluice.micrometer.SluiceMeters.class, "dev.sluice.micrometer",
            Set.of("dev.sluice.micrometer")),
        Arguments.of(dev.sluice.mqtt.broker.EmbeddedBroker.class, "dev.sluice.mqtt.broker",
            Set.of("dev.sluice.mqtt.broker")),
        Arguments.of(dev.sluice.kafka.broker.EmbeddedKafkaBroker.class, "dev.sluice.kafka.broker",
            Set.of("dev.sluice.kafka.broker")),
        Arguments.of(dev.sluice.sqs.server.EmbeddedSqsServer.class, "dev.sluice.sqs.server",
            Set.of("dev.sluice.sqs.server")),
        Arguments.of(SluiceCommand.class, "dev.sluice.cli", Set.of()));
  }

  @ParameterizedTest(name = "{1} exports {2}")
  @MethodSource("modules")
  void eachModuleExportsItsApiAndNothingElse(Class<?> anchor, String name, Set<String> api)
      throws Exception {
    ModuleDescriptor module = descriptor(anchor);

    assertThat(module.name()).isEqualTo(name);
    assertThat(module.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
    assertThat(module.exports().stream().map(ModuleDescriptor.Exports::source))
        .containsExactlyInAnyOrderElementsOf(api);
    assertThat(module.packages()).contains(anchor.getPackageName());
  }

  @Test
  void theCommandOpensItsOptionsToPicocliAlone() throws Exception {
    ModuleDescriptor cli = descriptor(SluiceCommand.class);

    assertThat(cli.isOpen()).isFalse();
    assertThat(cli.opens()).singleElement().satisfies(o -> {
      assertThat(o.source()).isEqualTo("dev.sluice.cli");
      assertThat(o.targets()).containsExactly("info.picocli");
    });
  }

  @Test
  void aModuleThatImportsTheEnginesInternalsDoesNotCompile(@TempDir Path dir) throws Exception {
    String internal = somePublicInternalClass();

    List<String> errors = compileProbe(dir.resolve("internal"), internal);
    List<String> control = compileProbe(dir.resolve("api"), dev.sluice.Sluice.class.getName());

    assertThat(control).as("the same probe importing the API").isEmpty();
    assertThat(errors).anySatisfy(e -> assertThat(e)
        .contains("package dev.sluice.internal is declared in module dev.sluice.core, "
            + "which does not export it"));
  }

  /** Compiles a module {@code probe} that requires sluice-core and imports {@code type}. */
  private static List<String> compileProbe(Path dir, String type) throws IOException,
      URISyntaxException {
    Path source = Files.createDirectories(dir.resolve("src/probe"));
    Files.writeString(dir.resolve("src/module-info.java"),
        "module probe { requires dev.sluice.core; }\n");
    Files.writeString(source.resolve("Probe.java"),
        "package probe;\nimport " + type + ";\nclass Probe { " + type + " reached; }\n");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        null)) {
      // Nothing on the class path: the test's own class path holds sluice-core too, unexported.
      files.setLocation(StandardLocation.CLASS_PATH, List.of());
      List<String> options = List.of("--release", "17", "-d", dir.resolve("out").toString(),
          "--module-path", location(dev.sluice.Sluice.class) + java.io.File.pathSeparator
              + location(org.slf4j.Logger.class));
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(
          dir.resolve("src/module-info.java"), source.resolve("Probe.java"));
      javac.getTask(null, files, diagnostics, options, null, units).call();
    }
    return diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR)
        .map(d -> d.getMessage(Locale.ROOT))
        .collect(Collectors.toList());
  }

  /** A public class of {@code dev.sluice.internal}, found, not named: the engine's files move. */
  private static String somePublicInternalClass() throws Exception {
    Path core = location(dev.sluice.Sluice.class);
    List<String> names;
    if (Files.isDirectory(core)) {
      try (Stream<Path> classes = Files.list(core.resolve("dev/sluice/internal"))) {
        names = classes.map(p -> p.getFileName().toString()).collect(Collectors.toList());
      }
    } else {
      try (JarFile jar = new JarFile(core.toFile())) {
        names = jar.stream().map(e -> e.getName())
            .filter(n -> n.matches("dev/sluice/internal/[^/]+\\.class"))
            .map(n -> n.substring(n.lastIndexOf('/') + 1)).collect(Collectors.toList());
      }
    }
    for (String file : names) {
      if (file.endsWith(".class") && !file.contains("$")) {
        String name = "dev.sluice.internal." + file.substring(0, file.length() - ".class".length());
        Class<?> type = Class.forName(name, false, ModuleBoundariesTest.class.getClassLoader());
        if (Modifier.isPublic(type.getModifiers())) {
          return name;
        }
      }
    }
    throw new AssertionError("no public class in dev.sluice.internal at " + core);
  }

  private static ModuleDescriptor descriptor(Class<?> anchor) throws URISyntaxException {
    Path where = location(anchor);
    return ModuleFinder.of(where).findAll().stream().findFirst()
        .orElseThrow(() -> new AssertionError("no module at " + where))
        .descriptor();
  }

  private static Path location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
