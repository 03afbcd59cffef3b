package dev.sluice.spi.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import dev.sluice.spi.MalformedMessageException;
import dev.sluice.spi.MessageTooLargeException;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.SourceBacklog;
import dev.sluice.spi.SourceOverflowException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every Sluice source keeps, written once and run against each source by a
 * subclass in that source's module (published in sluice-core's test-jar). A subclass says how
 * to make "a source with N messages ready" and "a source whose next message is malformed";
 * this suite checks the rest through a {@link Probe} that records every rule it sees broken.
 *
 * <ul>
 *   <li>the Reactive Streams rules that matter to the engine: no more {@code onNext} than
 *       requested (1.1), none after a cancel made inside {@code onNext} (3.12, with the signals
 *       serial), one terminal signal at most and nothing after it (1.7), a non-positive request
 *       answered with {@code onError} (3.9), and the messages in the order they were read;</li>
 *   <li>ack: idempotent, safe from another thread, seen by the origin where it keeps count;</li>
 *   <li>nack and cancel: what was nacked, or never delivered, is left for the origin to deliver
 *       again (checked where the origin redelivers: {@link Fixture#reopen});</li>
 *   <li>overflow: a pushed source with a full buffer does what its {@link OverflowPolicy} says,
 *       and its {@link SourceBacklog}, where it reports one, counts the buffer and never passes
 *       the capacity;</li>
 *   <li>dead-letter-before-processing: a message the source could not read reaches the
 *       pipeline's dead-letter sink with attempts 0 and its cause, without the processor, is
 *       counted in {@link Stats#deadLettered()} and acknowledged.</li>
 * </ul>
 *
 * The full Reactive Streams TCK runs beside this suite where a source has one
 * ({@code SourcesTckTest}, {@code SourceEmitterTckTest}, {@code WebSocketSourceTckTest}); this
 * suite does not repeat its other rules.
 *
 * @param <T> the payload type
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SourceContract<T> {

  /** How long a source may go on sending before a test decides nothing more is coming. */
  protected static final Duration QUIET = Duration.ofMillis(300);
  /** How long a test waits for what should come. */
  protected static final Duration PATIENCE = Duration.ofSeconds(20);

  /**
   * A source over a fresh origin holding {@code n} messages ready, whose payloads read
   * {@code "m-0"} … {@code "m-(n-1)"} (see {@link #text}) in that order.
   */
  protected abstract Fixture<T> withMessages(int n) throws Exception;

  /**
   * A source over a fresh origin whose first message cannot be read as it is (larger than the
   * source's limit, or not valid UTF-8), followed by {@code good} messages {@code "m-0"} …; or
   * null for a source that hands on whatever its origin holds (a Kafka record, an SQS message:
   * the broker already refused what is too large).
   */
  protected abstract Fixture<T> withMalformedFirst(int good) throws Exception;

  /**
   * A source that is pushed to (it cannot slow its origin) with a buffer of {@code capacity}
   * under {@code policy}, and {@code n} messages {@code "m-0"} … pushed once
   * {@link Fixture#subscribed} is called; or null where the source reads on demand and has no
   * overflow, or does not offer {@code policy}.
   */
  protected Fixture<T> withOverflow(int n, int capacity, OverflowPolicy policy) throws Exception {
    return null;
  }

  /** A payload as text, for comparing with {@code "m-i"}. */
  protected String text(T payload) {
    return String.valueOf(payload);
  }

  /** One source over one origin, and what the suite may ask of the origin. */
  public interface Fixture<T> extends AutoCloseable {

    /** The source; subscribed to once. */
    Flow.Publisher<Message<T>> source();

    /** True if the source completes by itself once it has delivered the messages it holds. */
    boolean completes();

    /**
     * True if the origin delivers in the order the messages were made ready (false for an SQS
     * standard queue): the suite then checks the order too, else only that each came once.
     */
    default boolean ordered() {
      return true;
    }

    /** Called once the test has subscribed: a pushed source starts receiving here. */
    default void subscribed() throws Exception {
    }

    /** Messages the origin has counted acknowledged, or -1 if it has no acknowledgement. */
    default long acknowledged() {
      return -1;
    }

    /** Messages the source has received from its origin so far, or -1 if it cannot tell. */
    default long arrived() {
      return -1;
    }

    /**
     * Ends this source (releasing its connection, so that its unacknowledged messages go back
     * to the origin) and returns a fresh one over the same origin; null if the origin does not
     * redeliver.
     */
    default Flow.Publisher<Message<T>> reopen() throws Exception {
      return null;
    }

    /** Releases the source and the origin. */
    @Override
    void close() throws Exception;
  }

  // ---- the Reactive Streams rules that matter ----

  @Test
  void deliversNoMoreThanRequestedInOrderAndEndsOnce() throws Exception {
    try (Fixture<T> f = withMessages(10)) {
      Probe<T> probe = Probe.subscribe(f);
      probe.request(3);
      await().atMost(PATIENCE).until(() -> probe.received().size() >= 3);
      await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> probe.received().size() == 3);
      probe.request(7);
      await().atMost(PATIENCE).until(() -> probe.received().size() >= 10);
      if (f.ordered()) {
        assertThat(texts(probe.received())).containsExactlyElementsOf(names(10));
      } else {
        assertThat(texts(probe.received())).containsExactlyInAnyOrderElementsOf(names(10));
      }
      if (f.completes()) {
        probe.request(1);       // a source that reads on demand may find its end only when asked
        await().atMost(PATIENCE).until(probe::terminated);
        assertThat(probe.completed()).isTrue();
        assertThat(probe.received()).hasSize(10);
      }
      probe.assertNoViolations();
    }
  }

  @Test
  void sendsNothingAfterACancelMadeInsideOnNext() throws Exception {
    try (Fixture<T> f = withMessages(10)) {
      Probe<T> probe = Probe.subscribe(f);
      probe.cancelAt(2);
      probe.request(10);
      await().atMost(PATIENCE).until(() -> probe.received().size() >= 2);
      await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> probe.received().size() == 2);
      assertThat(probe.terminated()).as("a terminal signal after cancel").isFalse();
      probe.assertNoViolations();
    }
  }

  @Test
  void answersANonPositiveRequestWithOnError() throws Exception {
    try (Fixture<T> f = withMessages(3)) {
      Probe<T> probe = Probe.subscribe(f);
      probe.request(0);
      await().atMost(PATIENCE).until(probe::terminated);
      assertThat(probe.error()).isInstanceOf(IllegalArgumentException.class);
      probe.assertNoViolations();
    }
  }

  // ---- ack, nack, cancel ----

  @Test
  void ackIsIdempotentSafeFromAnyThreadAndReachesTheOrigin() throws Exception {
    try (Fixture<T> f = withMessages(3)) {
      Probe<T> probe = Probe.subscribe(f);
      probe.request(3);
      await().atMost(PATIENCE).until(() -> probe.received().size() >= 3);
      List<Boolean> firstAcks = new CopyOnWriteArrayList<>();
      CompletableFuture.runAsync(() -> probe.received().forEach(m -> firstAcks.add(m.ack())))
          .get(10, TimeUnit.SECONDS);
      assertThat(firstAcks).containsExactly(true, true, true);
      for (Message<T> m : probe.received()) {
        assertThat(m.ack()).as("a second ack").isFalse();
        assertThat(m.nack(new IllegalStateException("late"))).as("a nack after the ack").isFalse();
      }
      if (f.acknowledged() >= 0) {
        await().atMost(PATIENCE).until(() -> f.acknowledged() == 3);
      }
      probe.assertNoViolations();
    }
  }

  @Test
  void aNackedMessageIsLeftForTheOriginToDeliverAgain() throws Exception {
    try (Fixture<T> f = withMessages(3)) {
      Probe<T> probe = Probe.subscribe(f);
      probe.request(2);
      await().atMost(PATIENCE).until(() -> probe.received().size() >= 2);
      String acked = text(probe.received().get(0).payload());
      String nacked = text(probe.received().get(1).payload());
      assertThat(probe.received().get(0).ack()).isTrue();
      assertThat(probe.received().get(1).nack(new IllegalStateException("not now"))).isTrue();
      assertThat(probe.received().get(1).ack()).as("an ack after the nack").isFalse();
      if (f.acknowledged() >= 0) {
        await().during(QUIET).atMost(PATIENCE).until(() -> f.acknowledged() == 1);
      }
      probe.assertNoViolations();
      probe.cancel();
      assertDeliveredAgain(f, List.of(nacked), List.of(acked));
    }
  }

  @Test
  void whatACancelLeftUndeliveredIsLeftForTheOrigin() throws Exception {
    try (Fixture<T> f = withMessages(6)) {
      Probe<T> probe = Probe.subscribe(f);
      probe.request(2);
      await().atMost(PATIENCE).until(() -> probe.received().size() >= 2);
      probe.received().forEach(Message::ack);
      List<String> delivered = texts(probe.received());
      List<String> rest = new ArrayList<>(names(6));
      rest.removeAll(delivered);
      probe.cancel();
      if (f.acknowledged() >= 0) {
        await().during(QUIET).atMost(PATIENCE).until(() -> f.acknowledged() == 2);
      }
      probe.assertNoViolations();
      assertDeliveredAgain(f, rest, delivered);
    }
  }

  /**
   * Reopens the origin, where it redelivers, and checks that {@code back} comes again and
   * {@code gone} (acknowledged) does not.
   */
  private void assertDeliveredAgain(Fixture<T> f, List<String> back, List<String> gone)
      throws Exception {
    Flow.Publisher<Message<T>> again = f.reopen();
    assumeTrue(again != null, "the origin does not redeliver");
    Probe<T> second = Probe.subscribe(again);
    second.request(Long.MAX_VALUE);
    await().atMost(PATIENCE).until(() -> texts(second.received()).containsAll(back));
    assertThat(texts(second.received())).doesNotContainAnyElementsOf(gone);
    second.cancel();
    second.assertNoViolations();
  }

  // ---- overflow ----

  @ParameterizedTest
  @EnumSource(OverflowPolicy.class)
  void aFullBufferDoesWhatItsPolicySays(OverflowPolicy policy) throws Exception {
    int capacity = 4;
    int n = 12;
    Fixture<T> fixture = withOverflow(n, capacity, policy);
    assumeTrue(fixture != null, "reads on demand, or does not offer " + policy);
    try (Fixture<T> f = fixture) {
      Probe<T> probe = Probe.subscribe(f);
      f.subscribed();
      if (policy == OverflowPolicy.BLOCK) {
        probe.request(n);
        await().atMost(PATIENCE).until(() -> probe.received().size() >= n);
        assertThat(texts(probe.received())).containsExactlyElementsOf(names(n));
        probe.assertNoViolations();
        return;
      }
      assumeTrue(f.arrived() >= 0, "cannot tell when the messages have arrived");
      await().atMost(PATIENCE).until(() -> f.arrived() >= n || probe.terminated());
      long backlog = SourceBacklog.of(f.source());
      assertThat(backlog).as("backlog").isLessThanOrEqualTo(capacity);
      if (backlog >= 0 && policy != OverflowPolicy.FAIL) {
        assertThat(backlog).as("backlog of a full buffer nobody asked of").isEqualTo(capacity);
      }
      if (policy == OverflowPolicy.FAIL) {
        await().atMost(PATIENCE).until(probe::terminated);
        assertThat(probe.error()).isInstanceOf(SourceOverflowException.class);
        assertThat(probe.received()).isEmpty();
        probe.assertNoViolations();
        return;
      }
      probe.request(n);
      await().atMost(PATIENCE).until(() -> probe.received().size() >= capacity);
      await().during(QUIET).atMost(QUIET.multipliedBy(3))
          .until(() -> probe.received().size() == capacity);
      List<String> all = names(n);
      assertThat(texts(probe.received())).containsExactlyElementsOf(
          policy == OverflowPolicy.DROP_NEWEST ? all.subList(0, capacity)
              : all.subList(n - capacity, n));
      probe.assertNoViolations();
    }
  }

  // ---- dead-letter-before-processing ----

  @Test
  void aMessageThatCannotBeReadIsDeadLetteredWithAttemptsZeroBeforeProcessing()
      throws Exception {
    Fixture<T> fixture = withMalformedFirst(3);
    assumeTrue(fixture != null, "the source has no message it cannot read");
    try (Fixture<T> f = fixture) {
      List<String> processed = new CopyOnWriteArrayList<>();
      List<DeadLetter<T>> deadLetters = new CopyOnWriteArrayList<>();
      Pipeline pipeline = Sluice.from(f.source()).workers(1).maxInFlight(4)
          .process(payload -> processed.add(text(payload)))
          .deadLetters(Sinks.collection(deadLetters))
          .start();
      f.subscribed();
      await().atMost(PATIENCE).until(() -> processed.size() >= 3 && !deadLetters.isEmpty());
      Stats stats;
      if (f.completes()) {
        stats = pipeline.completion().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      } else {
        pipeline.close();
        stats = pipeline.completion().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      }
      assertThat(processed).containsExactly("m-0", "m-1", "m-2");
      assertThat(deadLetters).hasSize(1);
      DeadLetter<T> letter = deadLetters.get(0);
      assertThat(letter.attempts()).isZero();
      assertThat(letter.cause()).isInstanceOfAny(MessageTooLargeException.class,
          MalformedMessageException.class);
      assertThat(stats.deadLettered()).isEqualTo(1);
      assertThat(stats.completed()).isEqualTo(3);
      if (f.acknowledged() >= 0) {
        await().atMost(PATIENCE).until(() -> f.acknowledged() >= 4);
      }
    }
  }

  // ---- helpers ----

  /** {@code "m-0"} … {@code "m-(n-1)"}. */
  protected static List<String> names(int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add("m-" + i);
    }
    return names;
  }

  private List<String> texts(List<Message<T>> messages) {
    List<String> texts = new ArrayList<>();
    for (Message<T> m : messages) {
      texts.add(text(m.payload()));
    }
    return texts;
  }
}
