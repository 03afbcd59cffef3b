package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The in-flight window: demand never exceeds it, a fixed one stays put, and the default one
 * widens for short attempts, keeps its floor for long ones and narrows when they slow down.
 */
class DemandWindowTest {

  /** Settles one message at a time, each after an attempt of {@code attemptNanos}. */
  private static final class Harness {
    final List<Long> requests = new ArrayList<>();
    final StatsRecorder stats = new StatsRecorder(System::nanoTime, new StatsRecorder.Gauges() {
      @Override public long received() { return 0; }
      @Override public long settled() { return 0; }
      @Override public int busyWorkers() { return 0; }
      @Override public int workers() { return 2; }
    }, 2);
    final DemandWindow window;
    long granted;
    long settled;

    Harness(int floor, int ceiling) {
      SourceDemand demand = new SourceDemand(floor);
      demand.subscribed(new Flow.Subscription() {
        @Override public void request(long n) {
          requests.add(n);
          granted += n;
        }

        @Override public void cancel() { }
      });
      window = new DemandWindow(demand, stats, () -> 2, floor, ceiling);
    }

    /** Settles {@code n} messages; checks the window's promise after each. */
    void settle(int n, long attemptNanos) {
      for (int i = 0; i < n; i++) {
        long before = granted;
        stats.onAttempt(attemptNanos, true);
        window.settled(++settled, true);
        if (granted > before) {
          assertThat(granted - settled).as("asked for and not settled, after %d", settled)
              .isLessThanOrEqualTo(window.size());
        }
      }
    }
  }

  @Test
  void aFixedWindowAsksForWhatSettledInQuarters() {
    Harness h = new Harness(32, 32);
    h.settle(1000, 100);
    assertThat(h.window.size()).isEqualTo(32);
    assertThat(h.requests.get(0)).isEqualTo(32);     // the initial request
    assertThat(h.requests.subList(1, h.requests.size())).containsOnly(8L);
    assertThat(h.granted - h.settled).isBetween(25L, 32L);
  }

  @Test
  void microsecondWorkWidensTheDefaultWindowToItsCeiling() {
    Harness h = new Harness(32, 1024);
    h.settle(200, 200);                       // 200 ns attempts
    assertThat(h.window.size()).isEqualTo(1024);
    h.settle(2000, 200);
    assertThat(h.granted - h.settled).as("kept nearly full").isGreaterThan(700);
  }

  @Test
  void millisecondWorkKeepsTheFloorNearly() {
    Harness h = new Harness(32, 1024);
    h.settle(200, TimeUnit.MILLISECONDS.toNanos(1));
    // floor + 2 workers x 1 ms / 1 ms
    assertThat(h.window.size()).isEqualTo(34);
    h.settle(48, TimeUnit.SECONDS.toNanos(5));
    assertThat(h.window.size()).isEqualTo(32);
  }

  @Test
  void slowerAttemptsNarrowItAndNewDemandWaitsUntilWhatIsHeldFits() {
    Harness h = new Harness(32, 1024);
    h.settle(500, 100);
    assertThat(h.window.size()).isEqualTo(1024);
    long grantedBefore = h.granted;
    // the work turns slow (100 ns to 100 ms): the window narrows within five measurements...
    h.settle(80, TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(h.window.size()).isEqualTo(32);
    // ...and nothing more is asked for until fewer than 32 - 8 are held
    long held = h.granted - h.settled;
    h.settle((int) (held - 32), TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(h.granted).isLessThanOrEqualTo(grantedBefore + 80);
    h.settle(16, TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(h.granted - h.settled).isBetween(25L, 32L);
  }

  @Test
  void oneDescheduledAttemptDoesNotCloseAWideWindow() {
    Harness h = new Harness(32, 1024);
    h.settle(500, 100);
    assertThat(h.window.size()).isEqualTo(1024);
    // one attempt of sixteen takes 4 ms (its thread lost the core): the mean is 250 us
    h.settle(15, 100);
    h.settle(1, TimeUnit.MILLISECONDS.toNanos(4));
    assertThat(h.window.size()).isEqualTo(1024);
  }

  @Test
  void aNoOpPipelineOnTheDefaultWindowAsksForMoreThanItsFloorAtOnce() throws Exception {
    AtomicLong largest = new AtomicLong();
    Flow.Publisher<dev.sluice.Message<Long>> source = Sources.fromIterable(
        LongStream.range(0, 50_000).boxed().toList());
    Flow.Publisher<dev.sluice.Message<Long>> watched = subscriber -> source.subscribe(
        new Flow.Subscriber<>() {
          @Override public void onSubscribe(Flow.Subscription s) {
            subscriber.onSubscribe(new Flow.Subscription() {
              @Override public void request(long n) {
                largest.accumulateAndGet(n, Math::max);
                s.request(n);
              }

              @Override public void cancel() {
                s.cancel();
              }
            });
          }

          @Override public void onNext(dev.sluice.Message<Long> item) {
            subscriber.onNext(item);
          }

          @Override public void onError(Throwable t) {
            subscriber.onError(t);
          }

          @Override public void onComplete() {
            subscriber.onComplete();
          }
        });
    Stats stats = Sluice.from(watched).workers(2).process(x -> x).start()
        .completion().get(1, TimeUnit.MINUTES);
    assertThat(stats.completed()).isEqualTo(50_000);
    assertThat(largest.get()).as("a request wider than the floor's quarter (8)")
        .isGreaterThan(32);
  }
}
