package dev.sluice.cli;

import dev.sluice.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT for {@code sluice run}: the first drains the pipeline (no new messages,
 * the rest finished within the drain timeout), the second stops it at once (queued messages
 * nacked, running ones interrupted). Either way the command then ends normally, so its exit
 * code is its own rather than the JVM's 128 + signal.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK 17) because a
 * shutdown hook cannot choose the exit code. Where the JVM refuses a handler (it was started
 * with {@code -Xrs}), that signal keeps its default behaviour.
 *
 * <p><b>Threads.</b> Handlers run on the JVM's signal thread and hand the drain to a new
 * thread at once. {@link #close} restores the previous handlers; call it from the thread that
 * installed them once the pipeline has ended.
 */
final class SignalDrain implements AutoCloseable {

  private final Pipeline pipeline;
  private final Duration drainTimeout;
  private final Consumer<String> notices;
  private final AtomicInteger signals = new AtomicInteger();
  private final List<Signal> installed = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();

  private SignalDrain(Pipeline pipeline, Duration drainTimeout, Consumer<String> notices) {
    this.pipeline = pipeline;
    this.drainTimeout = drainTimeout;
    this.notices = notices;
  }

  /** Handles SIGTERM and SIGINT for {@code pipeline} until {@link #close}. */
  static SignalDrain install(Pipeline pipeline, Duration drainTimeout, Consumer<String> notices) {
    SignalDrain drain = new SignalDrain(pipeline, drainTimeout, notices);
    for (String name : List.of("TERM", "INT")) {
      try {
        Signal signal = new Signal(name);
        drain.previous.add(Signal.handle(signal, drain::onSignal));
        drain.installed.add(signal);
      } catch (IllegalArgumentException refused) {
        // -Xrs or an OS without this signal: the default behaviour stays.
      }
    }
    return drain;
  }

  private void onSignal(Signal signal) {
    int n = signals.incrementAndGet();
    Duration timeout;
    if (n == 1) {
      notices.accept("sluice run: SIG" + signal.getName() + ": draining (up to "
          + DurationParser.format(drainTimeout) + "; send it again to stop at once)");
      timeout = drainTimeout;
    } else if (n == 2) {
      notices.accept("sluice run: SIG" + signal.getName() + " again: stopping at once");
      timeout = Duration.ZERO;
    } else {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        pipeline.drain(timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sluice-drain-" + n);
    t.setDaemon(true);
    t.start();
  }

  /** How many signals arrived: 0, 1 (drained), 2 or more (stopped at once). */
  int signalsReceived() {
    return signals.get();
  }

  @Override
  public void close() {
    for (int i = 0; i < installed.size(); i++) {
      Signal.handle(installed.get(i), previous.get(i));
    }
  }
}
