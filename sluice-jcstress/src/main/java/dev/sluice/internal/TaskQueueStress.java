package dev.sluice.internal;

import java.util.concurrent.CountDownLatch;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * jcstress tests of {@link TaskQueue}'s claims: the lock-free ring neither loses nor duplicates
 * an element, an offer cannot slip past a taker on its way to sleep (the Dekker argument in the
 * class comment), {@code close} wakes every taker, and {@code retire} wakes the retired taker,
 * leaves the others asleep and passes on a wake-up it took. A taker that sleeps through its
 * wake-up never returns, so those tests run in termination mode: STALE (the actor never ended)
 * is forbidden. Where a test needs more takers than jcstress's one actor, the actor starts them.
 *
 * <p>In {@code dev.sluice.internal} of this module to reach the package-private queue (it runs
 * from the classpath). Run: {@code java -jar sluice-jcstress/target/jcstress.jar}.
 */
public final class TaskQueueStress {

  private TaskQueueStress() {
  }

  private static final Object ELEMENT = new Object();

  /** A queue with {@code n} parking slots, their threads set by whoever parks there. */
  static TaskQueue.Parker[] parkers(TaskQueue<?> queue, int n) {
    TaskQueue.Parker[] parkers = new TaskQueue.Parker[n];
    for (int i = 0; i < n; i++) {
      parkers[i] = new TaskQueue.Parker(null);
    }
    queue.setParkers(parkers);
    return parkers;
  }

  /** Starts a taker at {@code parker} that takes until its take returns null. */
  static Thread taker(TaskQueue<Object> queue, TaskQueue.Parker parker, Runnable onElement,
      Runnable onNull) {
    Thread thread = new Thread(() -> {
      while (queue.take(parker) != null) {
        onElement.run();
      }
      onNull.run();
    });
    thread.setDaemon(true);
    parker.thread = thread;      // before it starts, as WorkerPool does
    thread.start();
    return thread;
  }

  /** A wait that may be interrupted. */
  interface Wait {
    void run() throws InterruptedException;
  }

  /** Waits to the end, whatever interrupts come (jcstress may interrupt a stale actor). */
  static void uninterruptibly(Wait wait) {
    boolean interrupted = false;
    for (;;) {
      try {
        wait.run();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  static void join(Thread thread) {
    uninterruptibly(thread::join);
  }

  @JCStressTest
  @Description("Two threads each offer one element and then poll once, on the lock-free ring: "
      + "each element is taken exactly once, by a poll or by the drain after both")
  @Outcome(id = "3, 2", expect = Expect.ACCEPTABLE, desc = "both elements, each once")
  @Outcome(expect = Expect.FORBIDDEN, desc = "an element lost or taken twice")
  @State
  public static class NoElementLostOrDuplicated {
    final TaskQueue<Integer> queue = new TaskQueue<>(2);
    int seen1;
    int seen2;

    @Actor
    public void offerThenPoll1() {
      queue.offer(1);
      Integer e = queue.poll();
      seen1 = e == null ? 0 : e;
    }

    @Actor
    public void offerThenPoll2() {
      queue.offer(2);
      Integer e = queue.poll();
      seen2 = e == null ? 0 : e;
    }

    @Arbiter
    public void drain(II_Result r) {
      int mask = 0;
      int count = 0;
      for (int e : new int[] {seen1, seen2}) {
        if (e != 0) {
          mask |= e;
          count++;
        }
      }
      Integer e;
      while ((e = queue.poll()) != null) {
        mask |= e;
        count++;
      }
      r.r1 = mask;
      r.r2 = count;
    }
  }

  @JCStressTest(Mode.Termination)
  @Description("An offer racing a taker on its way to park: the taker wakes with the element")
  @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "the taker got the element")
  @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "the taker slept through the offer")
  @State
  public static class OfferWakesAParkingTaker {
    final TaskQueue<Object> queue = new TaskQueue<>(4);
    final TaskQueue.Parker[] parkers = parkers(queue, 1);

    @Actor
    public void take() {
      parkers[0].thread = Thread.currentThread();
      if (queue.take(parkers[0]) != ELEMENT) {
        throw new AssertionError("take returned without the element");
      }
    }

    @Signal
    public void offer() {
      queue.offer(ELEMENT);
    }
  }

  @JCStressTest(Mode.Termination)
  @Description("close() while two takers are parking or parked: both leave take()")
  @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "every taker left take()")
  @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "a taker slept through close()")
  @State
  public static class CloseWakesEveryTaker {
    final TaskQueue<Object> queue = new TaskQueue<>(4);
    final TaskQueue.Parker[] parkers = parkers(queue, 2);

    @Actor
    public void takeOnBothSlots() {
      Thread other = taker(queue, parkers[1], () -> { }, () -> { });
      parkers[0].thread = Thread.currentThread();
      if (queue.take(parkers[0]) != null) {
        throw new AssertionError("take returned an element that was never offered");
      }
      join(other);
    }

    @Signal
    public void close() {
      queue.close();
    }
  }

  @JCStressTest(Mode.Termination)
  @Description("retire() of one of two takers: the retired one leaves take(), the other stays "
      + "asleep until close()")
  @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "the retired taker left")
  @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "the retired taker slept through it")
  @State
  public static class RetireWakesTheRetiredOnly {
    final TaskQueue<Object> queue = new TaskQueue<>(4);
    final TaskQueue.Parker[] parkers = parkers(queue, 2);
    volatile boolean otherLeft;

    @Actor
    public void takeAsTheRetired() {
      Thread other = taker(queue, parkers[1], () -> { }, () -> otherLeft = true);
      parkers[0].thread = Thread.currentThread();
      if (queue.take(parkers[0]) != null) {
        throw new AssertionError("take returned an element that was never offered");
      }
      boolean early = otherLeft;
      queue.close();
      join(other);
      if (early) {
        throw new AssertionError("retire() of one taker made another leave take()");
      }
    }

    @Signal
    public void retire() {
      queue.retire(parkers[0]);
    }
  }

  @JCStressTest(Mode.Termination)
  @Description("retire() of one of two parked takers while an element is offered: whichever "
      + "taker the offer wakes, the element is taken (a retiring taker passes the wake-up on)")
  @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "the element was taken")
  @Outcome(id = "STALE", expect = Expect.FORBIDDEN,
      desc = "the element waits while a taker sleeps: a wake-up was lost")
  @State
  public static class RetiringTakerPassesOnItsWakeUp {
    final TaskQueue<Object> queue = new TaskQueue<>(4);
    final TaskQueue.Parker[] parkers = parkers(queue, 2);
    final CountDownLatch taken = new CountDownLatch(1);

    @Actor
    public void twoTakersUntilTheElementIsTaken() {
      Thread retired = taker(queue, parkers[0], taken::countDown, () -> { });
      Thread other = taker(queue, parkers[1], taken::countDown, () -> { });
      uninterruptibly(taken::await);
      queue.close();
      join(retired);
      join(other);
    }

    @Signal
    public void retireThenOffer() {
      queue.retire(parkers[0]);
      queue.offer(ELEMENT);
    }
  }

  @JCStressTest(Mode.Termination)
  @Description("Two elements offered back to back while one taker spins and the other parks "
      + "(only one taker spins; an offer wakes nobody while one does): each taker takes one "
      + "element once and stops, so the second element must wake the parked taker")
  @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "each taker got an element")
  @Outcome(id = "STALE", expect = Expect.FORBIDDEN,
      desc = "an element waits while a taker sleeps: the spinner did not pass it on")
  @State
  public static class OffersWhileOneSpinsReachBothTakers {
    final TaskQueue<Object> queue = new TaskQueue<>(4);
    final TaskQueue.Parker[] parkers = parkers(queue, 2);

    @Actor
    public void twoTakersOneElementEach() {
      Thread[] takers = new Thread[2];
      for (int i = 0; i < 2; i++) {
        TaskQueue.Parker parker = parkers[i];
        takers[i] = new Thread(() -> {
          if (queue.take(parker) != ELEMENT) {
            throw new AssertionError("take returned without an element");
          }
        });
        takers[i].setDaemon(true);
        parker.thread = takers[i];
        takers[i].start();
      }
      join(takers[0]);
      join(takers[1]);
    }

    @Signal
    public void offerTwo() {
      queue.offer(ELEMENT);
      queue.offer(ELEMENT);
    }
  }
}
