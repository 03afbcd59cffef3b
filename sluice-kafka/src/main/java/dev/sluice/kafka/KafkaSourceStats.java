package dev.sluice.kafka;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What a {@link KafkaSource} has done so far. An immutable snapshot; counters are read one by
 * one, so they may be a moment apart.
 *
 * @param received   records fetched from the brokers
 * @param skipped    records skipped because the partition's previous owner had finished them
 * @param abandoned  records in flight when their partition was revoked or lost and not finished
 *                   in time: their next owner processes them again
 * @param nacked     records the pipeline gave up unprocessed, left for redelivery
 * @param rebalances assignments, revocations and losses seen
 * @param commits    successful offset commits
 * @param lag        consumer lag: records behind the end of the owned partitions and not yet
 *                   handed to the pipeline (fetched ones waiting in the source included),
 *                   summed over {@code partitionLag}; sampled every 250 ms; 0 when nothing
 *                   is owned, -1 before the first assignment or while an owned partition's end
 *                   offset is not known yet
 * @param partitionLag the same per owned partition whose end offset is known (immutable)
 */
public record KafkaSourceStats(long received, long skipped, long abandoned, long nacked,
    long rebalances, long commits, long lag, Map<TopicPartition, Long> partitionLag) {

  public KafkaSourceStats {
    partitionLag = Map.copyOf(partitionLag);
  }
}
