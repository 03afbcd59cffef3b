package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.PipelineException;
import dev.sluice.Sink;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's events sent through a broker's sink (MQTT, Kafka): each write's confirmation is
 * counted, and the first failure is kept and thrown on the publishing thread.
 *
 * <p><b>Threads.</b> {@link #send} and {@link #throwIfFailed} on the publishing thread; the
 * sink's completions on its own threads; {@link #confirmed} from any thread.
 */
final class DemoSends {

  private final Sink<String> sink;
  private final String failed;
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /** @param failed what the exception says when a send failed */
  DemoSends(Sink<String> sink, String failed) {
    this.sink = sink;
    this.failed = failed;
  }

  /** Writes event {@code index} as its decimal text, then throws if any send has failed. */
  void send(long index) {
    String text = Long.toString(index);
    sink.write(text, Message.of(text)).whenComplete((done, error) -> {
      if (error != null) {
        failure.compareAndSet(null, error);
      } else {
        confirmed.incrementAndGet();
      }
    });
    throwIfFailed();
  }

  /** Throws the first failure of a send, if there was one. */
  void throwIfFailed() {
    Throwable error = failure.get();
    if (error != null) {
      throw new PipelineException(failed, error);
    }
  }

  /** Sends the broker has confirmed. */
  long confirmed() {
    return confirmed.get();
  }
}
