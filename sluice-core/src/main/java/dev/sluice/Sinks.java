package dev.sluice;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Ready-made {@link Sink}s. Each relies on the pipeline's promise that {@code write} is never
 * called concurrently, so none of them locks; share one between two pipelines only if its
 * target is thread-safe.
 */
public final class Sinks {

  private Sinks() {
  }

  /** Drops every result (the message is still acknowledged). */
  public static <R> Sink<R> discard() {
    return (result, source) -> Sink.DONE;
  }

  /** Hands each result to {@code consumer}; a throw fails the pipeline. */
  public static <R> Sink<R> callback(Consumer<? super R> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return (result, source) -> {
      consumer.accept(result);
      return Sink.DONE;
    };
  }

  /**
   * Adds each result to {@code target}. The pipeline's writes need no lock, but read the
   * collection from another thread only after the pipeline ends (its completion
   * happens-after every write), or pass a concurrent collection.
   */
  public static <R> Sink<R> collection(Collection<? super R> target) {
    Objects.requireNonNull(target, "target");
    return (result, source) -> {
      target.add(result);
      return Sink.DONE;
    };
  }

  /**
   * Writes each result's {@code toString()} as one UTF-8 line to {@code out}, flushed line by
   * line; {@code out} is not closed (it may be {@code System.out}).
   */
  public static <R> Sink<R> lines(OutputStream out) {
    Objects.requireNonNull(out, "out");
    return new LineSink<>(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)),
        false);
  }

  /** Appends each result's {@code toString()} as one UTF-8 line to {@code file}, creating it. */
  public static <R> Sink<R> lines(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return new LineSink<>(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file + " for writing: " + e.getMessage(), e);
    }
  }

  /**
   * Writes and flushes one line per result, so a message is acknowledged only once its line
   * has left the process (a crash cannot lose an acknowledged result).
   */
  private static final class LineSink<R> implements Sink<R> {
    private final Writer writer;
    private final boolean closeWriter;

    LineSink(Writer writer, boolean closeWriter) {
      this.writer = writer;
      this.closeWriter = closeWriter;
    }

    @Override
    public CompletionStage<Void> write(R result, Message<?> source) {
      try {
        writer.write(String.valueOf(result));
        writer.write('\n');
        writer.flush();
        return Sink.DONE;
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public CompletionStage<Void> flush() {
      try {
        writer.flush();
        return Sink.DONE;
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public void close() throws IOException {
      if (closeWriter) {
        writer.close();
      } else {
        writer.flush();
      }
    }
  }
}
