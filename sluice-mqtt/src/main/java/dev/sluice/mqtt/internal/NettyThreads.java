package dev.sluice.mqtt.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor handed to one HiveMQ client as its Netty executor. The client builds a Netty
 * event-loop group on it, keyed by this instance, so every client gets its own event loop (a
 * source blocked under {@code OverflowPolicy.BLOCK} never stalls a sink's acknowledgements), and
 * the client shuts that group down when it is finally disconnected. The threads are daemon
 * threads named {@code NAME-io-N}, so a leak could never keep a JVM alive, and
 * {@link #awaitTermination} lets {@code close()} wait until they have really ended.
 *
 * <p>Thread-safe.
 */
public final class NettyThreads implements Executor {

  private final String name;
  private final AtomicInteger count = new AtomicInteger();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  public NettyThreads(String name) {
    this.name = name;
  }

  @Override
  public void execute(Runnable task) {
    Thread thread = new Thread(task, name + "-io-" + count.incrementAndGet());
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /** Waits up to {@code timeout} for every thread this executor started; true if all ended. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return !thread.isAlive() && threads.stream().noneMatch(Thread::isAlive);
      }
      thread.join(Math.max(1, left / 1_000_000));
    }
    return threads.stream().noneMatch(Thread::isAlive);
  }
}
