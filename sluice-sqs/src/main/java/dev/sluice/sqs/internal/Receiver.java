package dev.sluice.sqs.internal;

import dev.sluice.Message;
import dev.sluice.spi.Backoff;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.EmitResult;
import dev.sluice.spi.SourceEmitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * One subscription to an SQS queue, on the core's {@link SourceEmitter} as a source that reads
 * on demand: the emitter asks for as many messages as the subscriber wants (never more than
 * {@value #MAX_PER_RECEIVE} outstanding), and a thread of its own long-polls
 * {@code ReceiveMessage} for what was asked and not yet received (at most 10 a call, and no more
 * than the settler has room for) and emits each message.
 *
 * <p><b>Concurrency.</b> The receive thread ({@code NAME-receive}) makes every SQS call and
 * every emit. The emitter's {@code onRequest} and {@code onCancel} may run on any thread: they
 * update atomics and unpark it. After a cancel, any message a poll in progress still returns
 * is released at once; {@link #stop} also cuts that poll short.
 *
 * <p><b>Failures.</b> A network failure is retried with a {@link Backoff} while the state reads
 * {@link ConnectionState#BACKING_OFF}; a refusal that will not change by retrying (no such
 * queue, bad credentials, access denied) fails the stream and the state is
 * {@link ConnectionState#FAILED}.
 */
public final class Receiver {

  private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
  private static final int MAX_PER_RECEIVE = 10;
  private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(100),
      Duration.ofSeconds(10));

  private final SqsClient client;
  private final String queue;
  private final String name;
  private final int waitSeconds;
  private final Integer visibilitySeconds;
  private final long stopAfter;
  private final Consumer<Thread> abort;
  private final Function<String, Settler> opener;
  private final BiFunction<software.amazon.awssdk.services.sqs.model.Message, Settler.Tracked,
      Message<String>> converter;
  private final CompletableFuture<Void> ready;
  /** Messages the emitter asked for and the receive thread has not yet emitted. */
  private final AtomicLong wanted = new AtomicLong();
  private final Thread thread;
  private volatile SourceEmitter<String> emitter;
  private volatile boolean cancelled;
  private volatile boolean parked;
  private volatile ConnectionState state = ConnectionState.IDLE;

  public Receiver(SqsClient client, String queue, String name, Duration wait,
      Duration visibility, long stopAfter, Consumer<Thread> abort,
      Function<String, Settler> opener,
      BiFunction<software.amazon.awssdk.services.sqs.model.Message, Settler.Tracked,
          Message<String>> converter, CompletableFuture<Void> ready) {
    this.client = client;
    this.queue = queue;
    this.name = name;
    this.waitSeconds = (int) wait.toSeconds();
    this.visibilitySeconds = visibility == null ? null : (int) visibility.toSeconds();
    this.stopAfter = stopAfter;
    this.abort = abort;
    this.opener = opener;
    this.converter = converter;
    this.ready = ready;
    this.thread = new Thread(this::run, name + "-receive");
    thread.setDaemon(true);
  }

  /**
   * Signals {@code onSubscribe} to {@code subscriber} on this thread and starts the receive
   * thread; call once.
   */
  public void start(Flow.Subscriber<? super Message<String>> subscriber) {
    emitter = SourceEmitter.builder(subscriber)
        .capacity(MAX_PER_RECEIVE)
        .onRequest(n -> {
          wanted.addAndGet(n);
          wake();
          return true;
        })
        .onCancel(cause -> cancel())
        .start();
    thread.start();
  }

  /** Where the connection stands. */
  public ConnectionState state() {
    return state;
  }

  /**
   * Stops receiving. A long poll in progress is left to end by itself (within the wait time):
   * cutting it short could leave SQS handing messages to a request nobody reads, hidden until
   * their visibility timeout; whatever it returns is released at once. {@link #stop} cuts it.
   */
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
      thread.join(Math.max(1, timeout.toMillis()));
    }
  }

  private void run() {
    state = ConnectionState.CONNECTING;
    Settler settler;
    String url;
    try {
      url = Queues.url(client, queue);
      settler = opener.apply(url);
      state = ConnectionState.CONNECTED;
      ready.complete(null);     // the queue answered: receiving can begin
    } catch (RuntimeException e) {
      fail(e);
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
      if (emitted == stopAfter) {
        emitter.complete();
        break;
      }
      long n = Math.min(Math.min(MAX_PER_RECEIVE, wanted.get()),
          Math.min(settler.room(), stopAfter - emitted));
      if (n <= 0) {
        parked = true;
        if (!cancelled && (wanted.get() == 0 || settler.room() <= 0)) {
          LockSupport.park(this);
        }
        parked = false;
        continue;
      }
      List<software.amazon.awssdk.services.sqs.model.Message> messages;
      try {
        messages = client.receiveMessage(request.maxNumberOfMessages((int) n).build()).messages();
        state = ConnectionState.CONNECTED;
        failures = 0;
      } catch (SdkException | UncheckedIOException e) {
        if (cancelled) {
          break;
        }
        if (isPermanent(e)) {
          fail(e);
          return;
        }
        state = ConnectionState.BACKING_OFF;
        if (++failures == 1) {
          LOG.warn("{}: receive failed, retrying with backoff: {}", name, e.getMessage());
        }
        LockSupport.parkNanos(this, BACKOFF.delay(failures).toNanos());
        continue;
      }
      for (software.amazon.awssdk.services.sqs.model.Message m : messages) {
        Settler.Tracked ack = settler.track(m.messageId(), m.receiptHandle());
        if (cancelled) {
          ack.nack(null);       // cancelled mid-poll: give it straight back
          continue;
        }
        wanted.decrementAndGet();
        emitted++;
        EmitResult result = emitter.tryEmit(converter.apply(m, ack));
        if (!result.isSuccess()) {
          ack.nack(null);       // not taken (cancelled meanwhile): give it back
        }
      }
    }
    state = ConnectionState.CLOSED;
  }

  private void fail(Exception e) {
    LOG.debug("{}: receiving from {} failed: {}", name, queue, e.getMessage());  // onError says it
    state = ConnectionState.FAILED;
    ready.completeExceptionally(e);
    emitter.fail(e);
  }

  /** Failures that retrying will not mend: a 4xx other than throttling, or no credentials. */
  private static boolean isPermanent(Exception e) {
    if (e instanceof IllegalStateException) {
      return true;
    }
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
}
