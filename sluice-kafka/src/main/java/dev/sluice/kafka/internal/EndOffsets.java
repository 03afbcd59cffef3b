package dev.sluice.kafka.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end offsets of the partitions a source owns, sampled in the background for its lag.
 *
 * <p><b>Why not the consumer's own lag.</b> {@code KafkaConsumer.currentLag} and the
 * {@code records-lag} metric come from the high watermark in fetch responses, and a paused
 * partition is not fetched: exactly when the pipeline is full, and the lag grows, they would
 * stand still. So an {@link Admin} client of the same brokers and security asks for the end
 * offsets ({@code ListOffsets}, latest, the consumer's isolation level) asynchronously; the
 * poll loop never waits for it.
 *
 * <p><b>Threads.</b> {@link #refresh} and {@link #close} are called by the poll thread; the
 * answer is stored by the admin client's thread; {@link #latest} may be read from any thread
 * (an immutable map behind a volatile field). At most one request is in flight.
 */
final class EndOffsets implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EndOffsets.class);

  private final Admin admin;
  private final ListOffsetsOptions options;
  private final String clientId;
  private final AtomicBoolean inFlight = new AtomicBoolean();
  private volatile Map<TopicPartition, Long> latest = Map.of();

  EndOffsets(Map<String, Object> consumerProperties, String clientId) {
    Map<String, Object> p = new HashMap<>();
    Set<String> names = AdminClientConfig.configNames();
    consumerProperties.forEach((name, value) -> {
      if (names.contains(name)) {
        p.put(name, value);
      }
    });
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-lag");
    this.clientId = clientId;
    this.admin = Admin.create(p);
    Object isolation = consumerProperties.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
    this.options = new ListOffsetsOptions(isolation == null ? IsolationLevel.READ_UNCOMMITTED
        : IsolationLevel.valueOf(isolation.toString().toUpperCase(Locale.ROOT)));
  }

  /**
   * Asks for the end offsets of {@code partitions} unless a request is still in flight; never
   * blocks. A failure keeps the previous figures (logged at debug: the next refresh retries).
   */
  void refresh(Set<TopicPartition> partitions) {
    if (partitions.isEmpty() || !inFlight.compareAndSet(false, true)) {
      return;
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (TopicPartition tp : partitions) {
      request.put(tp, OffsetSpec.latest());
    }
    try {
      admin.listOffsets(request, options).all().whenComplete((result, error) -> {
        if (error == null) {
          Map<TopicPartition, Long> ends = new HashMap<>(latest);
          result.forEach((tp, info) -> ends.put(tp, info.offset()));
          latest = Map.copyOf(ends);
        } else {
          LOG.debug("{}: could not read end offsets for the lag: {}", clientId,
              error.toString());
        }
        inFlight.set(false);
      });
    } catch (RuntimeException e) {
      inFlight.set(false);
      LOG.debug("{}: could not ask for end offsets: {}", clientId, e.toString());
    }
  }

  /** The last end offset known per partition; any thread. */
  Map<TopicPartition, Long> latest() {
    return latest;
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
