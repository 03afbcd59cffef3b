package dev.sluice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.stream.LongStream;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.Factory;

/**
 * The Reactive Streams TCK (Flow flavour) against every publisher {@link Sources} ships.
 * TestNG runs it, beside JUnit, through the JUnit Platform's TestNG engine.
 */
public class SourcesTckTest extends FlowPublisherVerification<Message<Long>> {

  private static final long DEFAULT_TIMEOUT_MILLIS = 500;
  private final String kind;
  private Path dir;

  @Factory
  public static Object[] kinds() {
    return new Object[] {
        new SourcesTckTest("iterable"), new SourcesTckTest("iterator"),
        new SourcesTckTest("stream"), new SourcesTckTest("generate"),
        new SourcesTckTest("file")};
  }

  public SourcesTckTest(String kind) {
    super(new TestEnvironment(DEFAULT_TIMEOUT_MILLIS));
    this.kind = kind;
  }

  @Override
  public Flow.Publisher<Message<Long>> createFlowPublisher(long elements) {
    switch (kind) {
      case "iterable":
        return Sources.fromIterable(() -> LongStream.range(0, elements).iterator());
      case "iterator":
        return Sources.fromIterator(LongStream.range(0, elements).iterator());
      case "stream":
        return Sources.fromStream(LongStream.range(0, elements).boxed());
      case "generate":
        return Sources.generate(elements, Duration.ZERO, i -> i);
      default:
        return lines(elements);
    }
  }

  private Flow.Publisher<Message<Long>> lines(long elements) {
    try {
      if (dir == null) {
        dir = Files.createTempDirectory("sluice-tck");
      }
      Path file = Files.createTempFile(dir, "lines", ".txt");
      StringBuilder text = new StringBuilder();
      for (long i = 0; i < elements; i++) {
        text.append(i).append('\n');
      }
      Files.writeString(file, text);
      Flow.Publisher<Message<String>> lines = Sources.lines(file);
      return subscriber -> lines.subscribe(new Flow.Subscriber<>() {
        { java.util.Objects.requireNonNull(subscriber, "subscriber"); }
        @Override public void onSubscribe(Flow.Subscription s) { subscriber.onSubscribe(s); }
        @Override public void onNext(Message<String> m) {
          subscriber.onNext(m.withPayload(Long.parseLong(m.payload())));
        }
        @Override public void onError(Throwable t) { subscriber.onError(t); }
        @Override public void onComplete() { subscriber.onComplete(); }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public long maxElementsFromPublisher() {
    return "file".equals(kind) ? 10_000 : Long.MAX_VALUE - 1;
  }

  @Override
  public Flow.Publisher<Message<Long>> createFailedFlowPublisher() {
    return Sources.fromIterable(() -> {
      throw new IllegalStateException("cannot open");
    });
  }

  @AfterClass
  public void removeFiles() throws IOException {
    if (dir != null) {
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  @Override
  public String toString() {
    return "SourcesTckTest[" + kind + "]";
  }
}
