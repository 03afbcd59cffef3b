package dev.sluice.sqs.internal;

import dev.sluice.spi.Backoff;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Sends messages to one queue with {@code SendMessageBatch}: ten at a time (and at most
 * 256 KiB a call), or when the oldest has waited {@code linger}. Each message's future
 * completes when SQS accepted it; an entry SQS failed on its side, or a call that failed, is
 * retried with backoff up to {@code maxAttempts}; an entry SQS refused (bad body, bad id) fails
 * its future with the reason.
 *
 * <p><b>Concurrency.</b> {@link #send} may be called from any thread; it blocks only while
 * {@code maxPending} messages already wait. One thread of its own ({@code NAME-send}) makes
 * every call and completes the futures, so their dependents run on it: keep them short.
 */
public final class SendBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(SendBatcher.class);
  private static final int BATCH = 10;
  private static final int MAX_BATCH_BYTES = 256 * 1024;
  private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(100),
      Duration.ofSeconds(5));

  /** One message to send. */
  public record Entry(String body, Map<String, MessageAttributeValue> attributes, String groupId,
      String deduplicationId, CompletableFuture<Void> done) { }

  private record Attempt(Entry entry, int number, long notBefore) { }

  private static final Attempt STOP = new Attempt(null, 0, 0);

  private final SqsClient client;
  private final Supplier<String> queueUrl;
  private final String name;
  private final long lingerNanos;
  private final int maxAttempts;
  private final BlockingQueue<Attempt> queue;
  private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile boolean closed;
  private String url;      // send thread only

  public final LongAdder sent = new LongAdder();
  public final LongAdder retried = new LongAdder();

  public SendBatcher(SqsClient client, Supplier<String> queueUrl, String name, Duration linger,
      int maxAttempts, int maxPending) {
    this.client = client;
    this.queueUrl = queueUrl;
    this.name = name;
    this.lingerNanos = linger.toNanos();
    this.maxAttempts = maxAttempts;
    this.queue = new LinkedBlockingQueue<>(maxPending);
    this.thread = new Thread(this::run, name + "-send");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code entry}; its future completes when SQS has it. */
  public void send(Entry entry) throws InterruptedException {
    if (closed) {
      entry.done.completeExceptionally(new IllegalStateException(name + " is closed"));
      return;
    }
    pending.add(entry.done);
    entry.done.whenComplete((v, e) -> pending.remove(entry.done));
    queue.put(new Attempt(entry, 1, 0));
  }

  /** Completes when every message queued so far is sent or has failed. */
  public CompletableFuture<Void> flush() {
    return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
        .handle((v, e) -> null);
  }

  /** Sends what is queued, then ends the send thread; waits up to {@code timeout}. */
  public void close(Duration timeout) throws InterruptedException {
    if (!closed) {
      closed = true;
      queue.put(STOP);
    }
    try {
      ended.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("{}: closed with {} messages unsent", name, pending.size());
      for (CompletableFuture<Void> f : pending) {
        f.completeExceptionally(new IllegalStateException(name + " closed before sending"));
      }
    }
  }

  private void run() {
    ArrayDeque<Attempt> retries = new ArrayDeque<>();
    boolean stopping = false;
    try {
      while (!stopping || !retries.isEmpty()) {
        List<Attempt> batch = new ArrayList<>(BATCH);
        int bytes = 0;
        long now = System.nanoTime();
        while (!retries.isEmpty() && retries.peek().notBefore - now <= 0 && batch.size() < BATCH) {
          Attempt a = retries.poll();
          batch.add(a);
          bytes += size(a.entry);
        }
        long deadline = now + lingerNanos;
        while (batch.size() < BATCH && !stopping) {
          long wait = batch.isEmpty()
              ? (retries.isEmpty() ? Long.MAX_VALUE : retries.peek().notBefore - System.nanoTime())
              : deadline - System.nanoTime();
          Attempt a = wait == Long.MAX_VALUE ? queue.take()
              : wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          if (a == null) {
            break;
          }
          if (a == STOP) {
            stopping = true;
            break;
          }
          int size = size(a.entry);
          if (!batch.isEmpty() && bytes + size > MAX_BATCH_BYTES) {
            retries.addFirst(a);
            break;
          }
          if (batch.isEmpty()) {
            deadline = System.nanoTime() + lingerNanos;
          }
          batch.add(a);
          bytes += size;
        }
        if (stopping) {
          for (Attempt a; (a = queue.poll()) != null; ) {
            retries.add(a);          // whatever was put before STOP still goes out
          }
        }
        if (!batch.isEmpty()) {
          send(batch, retries);
        } else if (stopping && !retries.isEmpty()) {
          long wait = retries.peek().notBefore - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ended.complete(null);
    }
  }

  private static int size(Entry e) {
    return e.body.getBytes(StandardCharsets.UTF_8).length + 256 * e.attributes.size();
  }

  private void send(List<Attempt> batch, ArrayDeque<Attempt> retries) {
    List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Entry e = batch.get(i).entry;
      entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
          .messageBody(e.body).messageAttributes(e.attributes)
          .messageGroupId(e.groupId).messageDeduplicationId(e.deduplicationId).build());
    }
    SendMessageBatchResponse response;
    try {
      if (url == null) {
        url = queueUrl.get();
      }
      response = client.sendMessageBatch(b -> b.queueUrl(url).entries(entries));
    } catch (SdkException | IllegalStateException e) {
      boolean permanent = e instanceof IllegalStateException
          || e instanceof AwsServiceException && ((AwsServiceException) e).statusCode() < 500
          && !((AwsServiceException) e).isThrottlingException();
      for (Attempt a : batch) {
        retryOrFail(a, e, permanent, retries);
      }
      return;
    }
    for (var ok : response.successful()) {
      sent.increment();
      batch.get(Integer.parseInt(ok.id())).entry.done.complete(null);
    }
    for (BatchResultErrorEntry error : response.failed()) {
      Attempt a = batch.get(Integer.parseInt(error.id()));
      retryOrFail(a, new IllegalStateException("SQS refused a message for " + name + ": "
          + error.code() + ": " + error.message()), Boolean.TRUE.equals(error.senderFault()),
          retries);
    }
  }

  private void retryOrFail(Attempt a, Exception cause, boolean permanent,
      ArrayDeque<Attempt> retries) {
    if (permanent || a.number >= maxAttempts) {
      LOG.warn("{}: sending a message failed{}: {}", name,
          permanent ? "" : " after " + a.number + " attempts", cause.getMessage());
      a.entry.done.completeExceptionally(cause);
      return;
    }
    retried.increment();
    retries.add(new Attempt(a.entry, a.number + 1,
        System.nanoTime() + BACKOFF.delay(a.number).toNanos()));
  }
}
