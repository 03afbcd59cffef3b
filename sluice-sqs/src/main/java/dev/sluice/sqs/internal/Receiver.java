package dev.sluice.sqs.internal;

import dev.sluice.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * One subscription to an SQS queue: a thread that long-polls {@code ReceiveMessage} for as many
 * messages as the subscriber has asked for and not yet received (at most 10 a call, and no
 * more than the settler has room for), and hands each to the subscriber.
 *
 * <p><b>Concurrency.</b> The receive thread ({@code NAME-receive}) makes every signal to the
 * subscriber, so they are serial. {@code request} and {@code cancel} may be called from any
 * thread: they update atomics and unpark it. After a cancel, any message a poll in progress
 * still returns is released at once; {@link #stop} also cuts that poll short.
 *
 * <p><b>Failures.</b> A network failure is retried with backoff while {@link #connected()}
 * reads false; a refusal that will not change by retrying (no such queue, bad credentials,
 * access denied) ends the stream with {@code onError}.
 */
public final class Receiver implements Flow.Subscription {

  private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
  private static final int MAX_PER_RECEIVE = 10;

  private final Flow.Subscriber<? super Message<String>> subscriber;
  private final SqsClient client;
  private final String queue;
  private final String name;
  private final int waitSeconds;
  private final Integer visibilitySeconds;
  private final long stopAfter;
  private final java.util.function.Consumer<Thread> abort;
  private final Function<String, Settler> opener;
  private final BiFunction<software.amazon.awssdk.services.sqs.model.Message, Settler.Tracked,
      Message<String>> converter;
  private final java.util.concurrent.CompletableFuture<Void> ready;
  private final AtomicLong demand = new AtomicLong();
  private final Thread thread;
  private volatile boolean cancelled;
  private volatile boolean parked;
  private volatile long badRequest;
  private volatile boolean connected;

  public Receiver(Flow.Subscriber<? super Message<String>> subscriber, SqsClient client,
      String queue, String name, Duration wait, Duration visibility, long stopAfter,
      java.util.function.Consumer<Thread> abort, Function<String, Settler> opener,
      BiFunction<software.amazon.awssdk.services.sqs.model.Message, Settler.Tracked,
          Message<String>> converter, java.util.concurrent.CompletableFuture<Void> ready) {
    this.subscriber = subscriber;
    this.ready = ready;
    this.client = client;
    this.queue = queue;
    this.name = name;
    this.waitSeconds = (int) wait.toSeconds();
    this.visibilitySeconds = visibility == null ? null : (int) visibility.toSeconds();
    this.stopAfter = stopAfter;
    this.abort = abort;
    this.opener = opener;
    this.converter = converter;
    this.thread = new Thread(this::run, name + "-receive");
    thread.setDaemon(true);
  }

  /** Starts the receive thread; call once. */
  public void start() {
    thread.start();
  }

  /** True while the last receive succeeded. */
  public boolean connected() {
    return connected;
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      badRequest = n == 0 ? -1 : n;     // rule 3.9: signalled by the receive thread
    } else {
      demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
    }
    wake();
  }

  /**
   * Stops receiving. A long poll in progress is left to end by itself (within the wait time):
   * cutting it short could leave SQS handing messages to a request nobody reads, hidden until
   * their visibility timeout; whatever it returns is released at once. {@link #stop} cuts it.
   */
  @Override
  public void cancel() {
    if (!cancelled) {
      cancelled = true;
      LockSupport.unpark(thread);
    }
  }

  /** Unparks the receive thread if it waits for demand or room. Any thread. */
  public void wake() {
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * Cancels, cuts a long poll in progress short (when the client allows it), and waits up to
   * {@code timeout} for the receive thread to end.
   */
  public void stop(Duration timeout) throws InterruptedException {
    cancel();
    if (thread.isAlive()) {
      abort.accept(thread);
    }
    thread.join(Math.max(1, timeout.toMillis()));
  }

  private void run() {
    subscriber.onSubscribe(this);
    Settler settler;
    String url;
    try {
      url = Queues.url(client, queue);
      settler = opener.apply(url);
      connected = true;
      ready.complete(null);     // the queue answered: receiving can begin
    } catch (RuntimeException e) {
      if (!cancelled) {
        cancelled = true;
        LOG.debug("{}: cannot receive from {}: {}", name, queue, e.getMessage());   // onError says it
        ready.completeExceptionally(e);
        subscriber.onError(e);
      }
      return;
    }
    ReceiveMessageRequest.Builder request = ReceiveMessageRequest.builder().queueUrl(url)
        .waitTimeSeconds(waitSeconds).messageSystemAttributeNamesWithStrings("All")
        .messageAttributeNames("All");
    if (visibilitySeconds != null) {
      request.visibilityTimeout(visibilitySeconds);
    }
    long emitted = 0;
    int failures = 0;
    while (!cancelled) {
      if (badRequest != 0) {
        cancelled = true;
        subscriber.onError(new IllegalArgumentException(
            "rule 3.9: request must be positive but was " + (badRequest == -1 ? 0 : badRequest)));
        return;
      }
      if (emitted == stopAfter) {
        cancelled = true;
        subscriber.onComplete();
        return;
      }
      long n = Math.min(Math.min(MAX_PER_RECEIVE, demand.get()),
          Math.min(settler.room(), stopAfter - emitted));
      if (n <= 0) {
        parked = true;
        if (!cancelled && badRequest == 0 && (demand.get() == 0 || settler.room() <= 0)) {
          LockSupport.park(this);
        }
        parked = false;
        continue;
      }
      List<software.amazon.awssdk.services.sqs.model.Message> messages;
      try {
        messages = client.receiveMessage(request.maxNumberOfMessages((int) n).build()).messages();
        connected = true;
        failures = 0;
      } catch (SdkException | UncheckedIOException e) {
        if (cancelled) {
          break;
        }
        if (isPermanent(e)) {
          cancelled = true;
          connected = false;
          LOG.debug("{}: receiving from {} failed: {}", name, queue, e.getMessage());   // onError says it
          ready.completeExceptionally(e);
          subscriber.onError(e);
          return;
        }
        connected = false;
        failures++;
        if (failures == 1) {
          LOG.warn("{}: receive failed, retrying with backoff: {}", name, e.toString());
        }
        LockSupport.parkNanos(this, backoffNanos(failures));
        continue;
      }
      for (software.amazon.awssdk.services.sqs.model.Message m : messages) {
        Settler.Tracked ack = settler.track(m.messageId(), m.receiptHandle());
        if (cancelled) {
          ack.nack(null);       // cancelled mid-poll: give it straight back
          continue;
        }
        demand.decrementAndGet();
        emitted++;
        subscriber.onNext(converter.apply(m, ack));
      }
    }
  }

  /** Failures that retrying will not mend: a 4xx other than throttling, or no credentials. */
  private static boolean isPermanent(Exception e) {
    if (e instanceof AwsServiceException) {
      AwsServiceException s = (AwsServiceException) e;
      return s.statusCode() >= 400 && s.statusCode() < 500 && !s.isThrottlingException();
    }
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c instanceof IOException) {
        return false;
      }
    }
    return e instanceof SdkException && !((SdkException) e).retryable()
        && e.getMessage() != null && e.getMessage().contains("credentials");
  }

  private static long backoffNanos(int failures) {
    long millis = Math.min(10_000, 100L << Math.min(failures, 7));
    long jitter = (long) (Math.random() * millis / 2);
    return TimeUnit.MILLISECONDS.toNanos(millis / 2 + jitter);
  }
}
