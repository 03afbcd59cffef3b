package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Message;
import dev.sluice.Sink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SerialSinkTest {

  /** Counts writes and notes any write that starts while another is still inside. */
  private static final class OverlapDetector implements Sink<String> {
    final AtomicBoolean inside = new AtomicBoolean();
    final AtomicInteger overlaps = new AtomicInteger();
    final List<String> written = new ArrayList<>();   // safe only if writes never overlap

    @Override
    public CompletionStage<Void> write(String result, Message<?> source) {
      if (!inside.compareAndSet(false, true)) {
        overlaps.incrementAndGet();
      }
      for (int i = 0; i < 200; i++) {
        Thread.onSpinWait();
      }
      written.add(result);
      inside.set(false);
      return DONE;
    }
  }

  @Test
  void writersOnManyThreadsNeverOverlapInTheWrappedSink() throws Exception {
    OverlapDetector detector = new OverlapDetector();
    SerialSink<String> sink = new SerialSink<>(detector);
    int threads = 4;
    int each = 5_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread writer = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          sink.write("x", null);
        }
      });
      writer.start();
      writers.add(writer);
    }
    start.countDown();
    for (Thread writer : writers) {
      writer.join();
    }

    assertThat(detector.overlaps).hasValue(0);
    assertThat(detector.written).hasSize(threads * each);
  }

  @Test
  void aWriteAfterCloseFailsAndDoesNotReachTheClosedSink() throws Exception {
    OverlapDetector detector = new OverlapDetector();
    SerialSink<String> sink = new SerialSink<>(detector);
    sink.close();

    assertThatThrownBy(() -> sink.write("late", null).toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("the dead-letter sink is closed");
    assertThat(detector.written).isEmpty();
  }
}
