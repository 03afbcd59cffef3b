package dev.sluice.kafka;

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
 * @param lag        records behind the end of the owned partitions (fetched but not handed on
 *                   included), as of the last commit; -1 before the first
 */
public record KafkaSourceStats(long received, long skipped, long abandoned, long nacked,
    long rebalances, long commits, long lag) {
}
