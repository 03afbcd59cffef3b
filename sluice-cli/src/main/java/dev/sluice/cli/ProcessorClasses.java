package dev.sluice.cli;

import dev.sluice.MessageProcessor;
import dev.sluice.Processor;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads {@code --processor CLASS} from {@code --classpath}: a public class with a public
 * no-argument constructor implementing {@link Processor}{@code <String, ?>} (or
 * {@link MessageProcessor}{@code <String, ?>} to see the topic, key and attempt). Results are
 * written with {@code toString()}. A processor that is also {@link AutoCloseable} is closed
 * once the run has ended.
 *
 * <p>Stateless; called once, on the command's thread.
 */
final class ProcessorClasses {

  private ProcessorClasses() {
  }

  /**
   * An instance of {@code className}.
   *
   * @throws IllegalArgumentException in one line: a missing classpath entry, a class not
   *                                  found, not a processor, or failing to construct
   */
  @SuppressWarnings("unchecked")
  static MessageProcessor<String, Object> load(String className, String classpath) {
    ClassLoader loader = loader(classpath);
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("--processor: class " + className + " not found"
          + (classpath == null ? " (give its jar or directory with --classpath)"
          : " on --classpath " + classpath));
    } catch (LinkageError e) {
      throw new IllegalArgumentException("--processor: cannot load " + className + ": " + e);
    }
    boolean plain = Processor.class.isAssignableFrom(type);
    if (!plain && !MessageProcessor.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException("--processor: " + className + " implements neither "
          + Processor.class.getName() + " nor " + MessageProcessor.class.getName());
    }
    Object instance;
    try {
      instance = type.getConstructor().newInstance();
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalArgumentException("--processor: " + className
          + " needs a public no-argument constructor (and must be a public class)");
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("--processor: the constructor of " + className
          + " failed: " + e.getCause());
    } catch (InstantiationException e) {
      throw new IllegalArgumentException("--processor: " + className + " is abstract");
    }
    if (plain) {
      return new PlainProcessor((Processor<String, Object>) instance);
    }
    return (MessageProcessor<String, Object>) instance;
  }

  /** What to close when the run ends: the loaded instance if it is closeable, else nothing. */
  static AutoCloseable closerOf(MessageProcessor<String, ?> processor) {
    Object instance = processor instanceof PlainProcessor
        ? ((PlainProcessor) processor).processor : processor;
    return instance instanceof AutoCloseable ? (AutoCloseable) instance : () -> { };
  }

  /** A {@link Processor} seen as a {@link MessageProcessor} of payloads. */
  private static final class PlainProcessor implements MessageProcessor<String, Object> {
    final Processor<String, Object> processor;

    PlainProcessor(Processor<String, Object> processor) {
      this.processor = processor;
    }

    @Override
    public Object process(dev.sluice.Message<String> message, int attempt) throws Exception {
      return processor.process(message.payload());
    }
  }

  private static ClassLoader loader(String classpath) {
    ClassLoader parent = ProcessorClasses.class.getClassLoader();
    if (classpath == null || classpath.isBlank()) {
      return parent;
    }
    List<URL> urls = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = Path.of(entry);
      if (!Files.exists(path)) {
        throw new IllegalArgumentException("--classpath: " + entry + " does not exist");
      }
      try {
        urls.add(path.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("--classpath: " + entry + ": " + e.getMessage());
      }
    }
    return new URLClassLoader(urls.toArray(URL[]::new), parent);
  }
}
