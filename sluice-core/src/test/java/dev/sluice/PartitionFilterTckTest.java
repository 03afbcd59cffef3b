package dev.sluice;

import dev.sluice.internal.PartitionFilter;
import java.util.concurrent.Flow;
import java.util.stream.LongStream;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The Reactive Streams TCK (Flow flavour) against the partition filter: half of its source's
 * messages belong to another instance, so every element it emits was preceded by one it
 * acknowledged and replaced with a request of its own, from inside {@code onNext}, which the
 * TCK's demand and cancellation rules must not notice.
 */
public class PartitionFilterTckTest extends FlowPublisherVerification<Message<Long>> {

  /** Owned by instance 0 of 2 ({@code Partition.ownerOf("key-1", 2) == 0}). */
  private static final String OURS = "key-1";
  /** Owned by instance 1 of 2. */
  private static final String THEIRS = "key-0";

  public PartitionFilterTckTest() {
    super(new TestEnvironment(500));
  }

  @Override
  public Flow.Publisher<Message<Long>> createFlowPublisher(long elements) {
    if (Partition.ownerOf(OURS, 2) != 0 || Partition.ownerOf(THEIRS, 2) != 1) {
      throw new AssertionError("the test keys no longer split 0/1");
    }
    // payloads 0, 1, 2, ...: odd ones are another instance's, so 2 × elements give elements
    LongStream payloads = elements >= Long.MAX_VALUE / 2
        ? LongStream.iterate(0, i -> i + 1) : LongStream.range(0, 2 * elements);
    return new PartitionFilter<>(Sources.fromIterator(payloads.iterator()), Partition.of(0, 2),
        m -> m.payload() % 2 == 0 ? OURS : THEIRS);
  }

  @Override
  public Flow.Publisher<Message<Long>> createFailedFlowPublisher() {
    return new PartitionFilter<>(Sources.fromIterable(() -> {
      throw new IllegalStateException("cannot open");
    }), Partition.of(0, 2), m -> OURS);
  }
}
