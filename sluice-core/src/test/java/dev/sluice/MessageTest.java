package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MessageTest {

  @Test
  void theFirstSettlementWinsAndLaterOnesDoNothingFromAnyThread() throws Exception {
    AtomicInteger acks = new AtomicInteger();
    AtomicInteger nacks = new AtomicInteger();
    Message<String> message = Message.of("x", new Acknowledger() {
      @Override public void ack() { acks.incrementAndGet(); }
      @Override public void nack(Throwable cause) { nacks.incrementAndGet(); }
    });
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      boolean ack = i % 2 == 0;
      Thread t = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        if (ack) {
          message.ack();
        } else {
          message.nack(new RuntimeException());
        }
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(acks.get() + nacks.get()).isEqualTo(1);
    assertThat(message.isAcked() || message.isNacked()).isTrue();
    assertThat(message.ack()).isFalse();
  }

  @Test
  void aCopyWithANewPayloadKeepsKeyMetadataAndAcknowledgement() {
    AtomicInteger acks = new AtomicInteger();
    Message<String> original = Message.builder("a").key("k").topic("t").sequence(7)
        .acknowledger(new Acknowledger() {
          @Override public void ack() { acks.incrementAndGet(); }
          @Override public void nack(Throwable cause) { }
        }).build();
    Message<Integer> copy = original.withPayload(1);
    assertThat(copy.key()).isEqualTo("k");
    assertThat(copy.topic()).isEqualTo("t");
    assertThat(copy.sequence()).isEqualTo(7);
    copy.ack();
    assertThat(acks).hasValue(1);
    assertThat(copy.toString()).isEqualTo("Message[topic=t, key=k, seq=7, payload=1]");
  }
}
