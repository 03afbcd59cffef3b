package dev.sluice.kafka.internal;

import org.apache.kafka.common.TopicPartition;

/**
 * One owned partition, from assignment to revocation. A fresh object each time the partition
 * is assigned, so acks for records of an earlier ownership land in a tracker nobody commits
 * any more: harmless.
 *
 * <p><b>Threads.</b> The poll thread owns every field but {@link #tracker}, which is
 * thread-safe and finished by ack threads.
 */
final class PartitionState {

  private static final long[] NONE = new long[0];

  final TopicPartition partition;
  final OffsetTracker tracker;
  private long[] skip;                       // finished by an earlier owner, ascending
  long committedOffset;                      // last offset committed (or -1)
  String committedMetadata;                  // with this metadata
  long next;                                 // next offset not yet handed on (or skipped)

  PartitionState(TopicPartition partition, long position, long[] skip, long committedOffset,
      String committedMetadata) {
    this.partition = partition;
    this.tracker = new OffsetTracker(position);
    this.next = position;
    this.skip = skip.length == 0 ? NONE : skip;
    this.committedOffset = committedOffset;
    this.committedMetadata = committedMetadata == null ? "" : committedMetadata;
  }

  /** True if an earlier owner finished {@code offset}: it is not to be processed again. */
  boolean finishedBefore(long offset) {
    if (skip.length == 0) {
      return false;
    }
    if (offset > skip[skip.length - 1]) {
      skip = NONE;
      return false;
    }
    return OffsetMetadata.contains(skip, offset);
  }
}
