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
 * thread at once. The handlers are installed before the pipeline starts; a signal that arrives
 * before {@link #attach} takes effect as soon as the pipeline is attached. {@link #close}
 * restores the previous handlers; call it from the thread that installed them once the
 * pipeline has ended.
 */
final class SignalDrain implements AutoCloseable {

  private Pipeline pipeline;      // guarded by this; null until attach
  private final Duration drainTimeout;
  private final Consumer<String> notices;
  private final Runnable onFirstSignal;
  private final AtomicInteger signals = new AtomicInteger();
  private final List<Signal> installed = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();

  private SignalDrain(Duration drainTimeout, Consumer<String> notices, Runnable onFirstSignal) {
    this.drainTimeout = drainTimeout;
    this.notices = notices;
    this.onFirstSignal = onFirstSignal;
  }

  /** Handles SIGTERM and SIGINT until {@link #close}, for the pipeline {@link #attach}ed. */
  static SignalDrain install(Duration drainTimeout, Consumer<String> notices) {
    return install(drainTimeout, notices, () -> { });
  }

  /**
   * As {@link #install(Duration, Consumer)}; {@code onFirstSignal} runs on the signal thread
   * before the drain begins (e.g. so that a child that dies now hands its message back
   * instead of failing it). It must be quick and thread-safe.
   */
  static SignalDrain install(Duration drainTimeout, Consumer<String> notices,
      Runnable onFirstSignal) {
    SignalDrain drain = new SignalDrain(drainTimeout, notices, onFirstSignal);
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

  /** The pipeline the signals drain; drains it at once if a signal came before. */
  void attach(Pipeline started) {
    int before;
    synchronized (this) {
      pipeline = started;
      before = signals.get();
    }
    if (before >= 1) {
      drainIn(started, before >= 2 ? Duration.ZERO : drainTimeout, before);
    }
  }

  private void onSignal(Signal signal) {
    int n = signals.incrementAndGet();
    if (n == 1) {
      onFirstSignal.run();
      notices.accept("sluice run: SIG" + signal.getName() + ": draining (up to "
          + DurationParser.format(drainTimeout) + "; send it again to stop at once)");
    } else if (n == 2) {
      notices.accept("sluice run: SIG" + signal.getName() + " again: stopping at once");
    } else {
      return;
    }
    Pipeline target;
    synchronized (this) {
      target = pipeline;
    }
    if (target != null) {
      drainIn(target, n == 1 ? drainTimeout : Duration.ZERO, n);
    }
  }

  private static void drainIn(Pipeline pipeline, Duration timeout, int n) {
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
