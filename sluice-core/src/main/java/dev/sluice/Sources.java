package dev.sluice;

import dev.sluice.internal.LinePull;
import dev.sluice.internal.PullPublisher;
import dev.sluice.spi.SourceBacklog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

  /** The longest line {@link #lines(InputStream)} and {@link #lines(Path)} take: 1 MiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

  /**
   * The lines of {@code in} as UTF-8 text, each at most {@value #DEFAULT_MAX_LINE_BYTES}
   * bytes; see {@link #lines(InputStream, int)}.
   */
  public static Flow.Publisher<Message<String>> lines(InputStream in) {
    return lines(in, DEFAULT_MAX_LINE_BYTES);
  }

  /**
   * The lines of {@code in} as UTF-8 text (split at {@code \n}, {@code \r\n} or
   * {@code \r}), each message's {@link Message#sequence()} its line number from 1 and its
   * topic {@code input}; one subscriber only. {@code in} is closed at the end.
   *
   * <p><b>Limits and bad input.</b> No line is held past {@code maxBytes} bytes, however long
   * it is. A longer line, or one that is not valid UTF-8, is not processed and not altered: it
   * reaches the pipeline {@linkplain Message#failed already failed}, which dead-letters it with
   * attempts 0, and the lines after it flow on. An oversize line's dead letter has its first
   * 256 bytes as payload and a {@link dev.sluice.spi.MessageTooLargeException} with its size;
   * a malformed line's has its bytes in Base64 as payload and a
   * {@link dev.sluice.spi.MalformedMessageException} naming the bad byte and its offset.
   *
   * @param maxBytes the longest line taken, in bytes, terminator excluded; at least 1
   */
  public static Flow.Publisher<Message<String>> lines(InputStream in, int maxBytes) {
    Objects.requireNonNull(in, "in");
    checkMaxBytes(maxBytes);
    return new PullPublisher<String>(() -> LinePull.of(in, "input", maxBytes), false, THREAD);
  }

  /**
   * The lines of {@code file} as UTF-8 text, each at most {@value #DEFAULT_MAX_LINE_BYTES}
   * bytes; see {@link #lines(Path, int)}.
   */
  public static Flow.Publisher<Message<String>> lines(Path file) {
    return lines(file, DEFAULT_MAX_LINE_BYTES);
  }

  /**
   * The lines of {@code file} as UTF-8 text, numbered from 1 and with the file as topic, each
   * at most {@code maxBytes} bytes: as {@link #lines(InputStream, int)}, but any number of
   * subscribers may read it, each from the start.
   */
  public static Flow.Publisher<Message<String>> lines(Path file, int maxBytes) {
    Objects.requireNonNull(file, "file");
    checkMaxBytes(maxBytes);
    return new PullPublisher<String>(() -> {
      try {
        return LinePull.of(Files.newInputStream(file), file.toString(), maxBytes);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }, true, THREAD);
  }

  private static void checkMaxBytes(int maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be >= 1 but was " + maxBytes);
    }
  }

  private static <T> PullPublisher.Pull<T> iteratorPull(Iterator<? extends T> iterator) {
    return () -> iterator.hasNext()
        ? Message.of(Objects.requireNonNull(iterator.next(), "source produced a null element"))
        : null;
  }

}
