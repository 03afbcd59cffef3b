package dev.sluice.websocket;

import dev.sluice.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bare subscriber that requests only when the test says: keeps the first {@code keep}
 * payloads and counts the rest, checking they arrive as consecutive integers when asked.
 */
final class TestSubscriber implements Flow.Subscriber<Message<String>> {
  private final int keep;
  final List<String> items = new CopyOnWriteArrayList<>();
  final AtomicLong count = new AtomicLong();
  final CompletableFuture<Void> done = new CompletableFuture<>();
  volatile Flow.Subscription subscription;

  TestSubscriber(int keep) {
    this.keep = keep;
  }

  void request(long n) {
    subscription.request(n);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
  }

  @Override
  public void onNext(Message<String> item) {
    if (count.incrementAndGet() <= keep) {
      items.add(item.payload());
    }
  }

  @Override
  public void onError(Throwable t) {
    done.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    done.complete(null);
  }
}
