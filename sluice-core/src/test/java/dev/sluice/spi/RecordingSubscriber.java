package dev.sluice.spi;

import dev.sluice.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;

/** Records what a source signals; requests nothing unless told. */
final class RecordingSubscriber<T> implements Flow.Subscriber<Message<T>> {
  final List<T> received = new CopyOnWriteArrayList<>();
  final CountDownLatch ended = new CountDownLatch(1);
  volatile Flow.Subscription subscription;
  volatile Throwable error;
  volatile boolean completed;

  @Override public void onSubscribe(Flow.Subscription s) { subscription = s; }
  @Override public void onNext(Message<T> m) { received.add(m.payload()); }
  @Override public void onError(Throwable t) { error = t; ended.countDown(); }
  @Override public void onComplete() { completed = true; ended.countDown(); }
}
