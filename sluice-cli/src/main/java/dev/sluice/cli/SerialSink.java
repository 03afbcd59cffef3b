package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.Sink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A sink that more than one writer may share: the pipeline's dead letters and those of a
 * WebSocket source both go to the run's one dead-letter sink, and the pipeline does not know
 * about the source's writes. Each call holds this object's lock, so calls to the wrapped sink
 * never overlap and each happens-before the next, as {@link Sink} promises its implementations.
 * A write after {@link #close()} (a source still reading while the pipeline has ended) is not
 * passed on: it returns a failed stage.
 *
 * <p>Thread-safe: any thread may call any method.
 *
 * @param <R> what is written
 */
final class SerialSink<R> implements Sink<R> {

  private final Sink<R> sink;
  private boolean closed;   // guarded by this

  SerialSink(Sink<R> sink) {
    this.sink = sink;
  }

  @Override
  public synchronized CompletionStage<Void> write(R result, Message<?> source) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the dead-letter sink is closed: the run has ended"));
    }
    return sink.write(result, source);
  }

  @Override
  public synchronized CompletionStage<Void> flush() {
    return sink.flush();
  }

  @Override
  public synchronized void close() throws Exception {
    if (!closed) {
      closed = true;
      sink.close();
    }
  }
}
