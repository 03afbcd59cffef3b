package dev.sluice;

import dev.sluice.internal.PullPublisher;
import dev.sluice.spi.SourceBacklog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * Ready-made sources: each is a {@link Flow.Publisher} of {@link Message}s without
 * acknowledgement, emitting on a daemon thread of its own ({@code sluice-source-N}) and only as
 * fast as its subscriber requests.
 *
 * <p>Sources over something that can be read again (an {@link Iterable}, a file, a generator)
 * accept any number of subscribers, each reading from the start; sources over a one-shot
 * {@link Iterator}, {@link Stream} or {@link InputStream} accept one and signal
 * {@link IllegalStateException} to any other.
 */
public final class Sources {

  private static final String THREAD = "sluice-source";

  private Sources() {
  }

  /** Each element of {@code items}, in order; a null element fails the stream. */
  public static <T> Flow.Publisher<Message<T>> fromIterable(Iterable<? extends T> items) {
    Objects.requireNonNull(items, "items");
    return new PullPublisher<T>(() -> iteratorPull(items.iterator()), true, THREAD);
  }

  /** Each element of {@code iterator}, in order; one subscriber only. */
  public static <T> Flow.Publisher<Message<T>> fromIterator(Iterator<? extends T> iterator) {
    Objects.requireNonNull(iterator, "iterator");
    return new PullPublisher<T>(() -> iteratorPull(iterator), false, THREAD);
  }

  /** Each element of {@code stream}, in order, closing it at the end; one subscriber only. */
  public static <T> Flow.Publisher<Message<T>> fromStream(Stream<? extends T> stream) {
    Objects.requireNonNull(stream, "stream");
    return new PullPublisher<T>(() -> {
      PullPublisher.Pull<T> pull = iteratorPull(stream.iterator());
      return new PullPublisher.Pull<>() {
        @Override public Message<T> next() throws Exception { return pull.next(); }
        @Override public void close() { stream.close(); }
      };
    }, false, THREAD);
  }

  /**
   * {@code count} events made by {@code factory} from their index (1, 2, ... count), the
   * i-th due {@code i × interval} after subscription — the founding article's
   * {@code event_source}. The schedule does not drift; an event the subscriber has no room for
   * waits until it asks, and later events keep their original due times.
   */
  public static <T> Flow.Publisher<Message<T>> generate(long count, Duration interval,
      LongFunction<? extends T> factory) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0 but was " + count);
    }
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must be >= 0 but was " + interval);
    }
    Objects.requireNonNull(factory, "factory");
    long intervalNanos = interval.toNanos();
    return new Generated<>(count, intervalNanos, factory);
  }

  /**
   * The timed generator: a pull publisher that also reports the events that are due and not
   * yet emitted (they wait because the pipeline has no room), so the capacity model sees the
   * offered load rather than what the pipeline managed to take.
   */
  private static final class Generated<T> implements Flow.Publisher<Message<T>>, SourceBacklog {
    private final long count;
    private final long intervalNanos;
    private final PullPublisher<T> publisher;
    private volatile long start = Long.MIN_VALUE;   // set once, at subscription
    private volatile long emitted;                  // written by the pulling thread

    Generated(long count, long intervalNanos, LongFunction<? extends T> factory) {
      this.count = count;
      this.intervalNanos = intervalNanos;
      this.publisher = new PullPublisher<T>(() -> new PullPublisher.Pull<>() {
        private final long subscribed = System.nanoTime();
        private long index;

        {
          emitted = 0;                 // the backlog follows the latest subscription
          start = subscribed;
        }

        @Override
        public Message<T> next() throws InterruptedException {
          if (index == count) {
            return null;
          }
          index++;
          if (intervalNanos > 0) {
            long wait = subscribed + index * intervalNanos - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
          }
          Message<T> message = Message.of(factory.apply(index));
          emitted = index;
          return message;
        }
      }, true, THREAD);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Message<T>> subscriber) {
      publisher.subscribe(subscriber);
    }

    @Override
    public long backlog() {
      long started = start;
      if (started == Long.MIN_VALUE) {
        return -1;
      }
      long due = intervalNanos == 0 ? count
          : Math.min(count, (System.nanoTime() - started) / intervalNanos);
      return Math.max(0, due - emitted);
    }
  }

  /**
   * The lines of {@code in} as UTF-8 text, each message's {@link Message#sequence()} its line
   * number from 1; one subscriber only. {@code in} is closed at the end.
   */
  public static Flow.Publisher<Message<String>> lines(InputStream in) {
    Objects.requireNonNull(in, "in");
    return new PullPublisher<String>(
        () -> linePull(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)),
            "input"),
        false, THREAD);
  }

  /** The lines of {@code file} as UTF-8 text, numbered from 1 and with the file as topic. */
  public static Flow.Publisher<Message<String>> lines(Path file) {
    Objects.requireNonNull(file, "file");
    return new PullPublisher<String>(() -> {
      try {
        return linePull(Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }, true, THREAD);
  }

  private static <T> PullPublisher.Pull<T> iteratorPull(Iterator<? extends T> iterator) {
    return () -> iterator.hasNext()
        ? Message.of(Objects.requireNonNull(iterator.next(), "source produced a null element"))
        : null;
  }

  private static PullPublisher.Pull<String> linePull(BufferedReader reader, String topic) {
    return new PullPublisher.Pull<>() {
      private long lineNumber;

      @Override
      public Message<String> next() throws IOException {
        String line = reader.readLine();
        if (line == null) {
          return null;
        }
        return Message.builder(line).topic(topic).sequence(++lineNumber).build();
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
  }
}
