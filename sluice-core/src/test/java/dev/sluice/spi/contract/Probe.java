package dev.sluice.spi.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/**
 * A subscriber for {@link SourceContract} that requests only when told and records every
 * Reactive Streams rule it sees broken: an {@code onNext} beyond demand (1.1), a second
 * {@code onSubscribe} (2.12), a second terminal signal or any signal after one (1.7), an
 * {@code onNext} after it cancelled inside {@code onNext} (3.12: signals are serial, so none may
 * follow). Thread-safe: signals come from the source's threads, requests from the test's.
 *
 * @param <T> the payload type
 */
public final class Probe<T> implements Flow.Subscriber<Message<T>> {

  private final List<Message<T>> received = new CopyOnWriteArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final AtomicLong demand = new AtomicLong();
  private volatile Flow.Subscription subscription;
  private volatile boolean terminated;
  private volatile boolean completed;
  private volatile Throwable error;
  private volatile boolean cancelledInOnNext;
  private volatile int cancelAt = -1;

  /** Subscribes a new probe to the fixture's source and waits for its {@code onSubscribe}. */
  public static <T> Probe<T> subscribe(SourceContract.Fixture<T> fixture) {
    return subscribe(fixture.source());
  }

  /** Subscribes a new probe to {@code source} and waits for its {@code onSubscribe}. */
  public static <T> Probe<T> subscribe(Flow.Publisher<Message<T>> source) {
    Probe<T> probe = new Probe<>();
    source.subscribe(probe);
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> probe.subscription != null);
    return probe;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    if (subscription != null) {
      violations.add("rule 2.12: a second onSubscribe");
      s.cancel();
      return;
    }
    subscription = s;
  }

  @Override
  public void onNext(Message<T> message) {
    if (terminated) {
      violations.add("rule 1.7: onNext after a terminal signal: " + message);
    }
    if (cancelledInOnNext) {
      violations.add("rule 3.12: onNext after a cancel made inside onNext: " + message);
    }
    if (demand.getAndUpdate(d -> d == Long.MAX_VALUE ? d : d - 1) <= 0) {
      violations.add("rule 1.1: onNext beyond demand: " + message);
    }
    received.add(message);
    if (received.size() == cancelAt) {
      cancelledInOnNext = true;
      subscription.cancel();
    }
  }

  @Override
  public void onError(Throwable t) {
    terminal("onError(" + t + ")");
    error = t;
  }

  @Override
  public void onComplete() {
    terminal("onComplete");
    completed = true;
  }

  private void terminal(String signal) {
    if (terminated) {
      violations.add("rule 1.7: a second terminal signal: " + signal);
    }
    if (cancelledInOnNext) {
      violations.add("a terminal signal after a cancel made inside onNext: " + signal);
    }
    terminated = true;
  }

  /** Requests {@code n}; a non-positive {@code n} is passed on as it is (rule 3.9). */
  public void request(long n) {
    if (n > 0) {
      demand.getAndUpdate(d -> d + n < 0 ? Long.MAX_VALUE : d + n);
    }
    subscription.request(n);
  }

  /** Cancels from the calling thread. */
  public void cancel() {
    subscription.cancel();
  }

  /** Cancels from inside the {@code count}-th {@code onNext}. */
  public void cancelAt(int count) {
    cancelAt = count;
  }

  public List<Message<T>> received() {
    return received;
  }

  public boolean terminated() {
    return terminated;
  }

  public boolean completed() {
    return completed;
  }

  public Throwable error() {
    return error;
  }

  /** Fails the test with every rule broken so far. */
  public void assertNoViolations() {
    assertThat(violations).as("Reactive Streams rules broken").isEmpty();
  }
}
