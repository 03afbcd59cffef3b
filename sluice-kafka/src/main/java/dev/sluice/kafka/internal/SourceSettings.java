package dev.sluice.kafka.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Kafka source's settings, checked by {@code KafkaSource.Builder}. Immutable.
 *
 * @param consumerProperties  every KafkaConsumer property, security and pass-through included
 * @param topics              the topics, or empty when {@code pattern} is set
 * @param pattern             a topic pattern, or null
 * @param clientId            the client id, also the poll thread's name
 * @param bufferSize          records handed on but not yet requested, at most
 * @param commitInterval      how often watermarks are committed asynchronously
 * @param revokeTimeout       how long a revoked partition's in-flight records may take
 * @param closeTimeout        how long close waits for delivered records to be settled
 * @param skipFinished        write finished offsets above the watermark into the commit metadata
 *                            and skip those a previous owner recorded
 * @param stopAfter           complete the stream after this many records (-1: never)
 */
public record SourceSettings(Map<String, Object> consumerProperties, List<String> topics,
    Pattern pattern, String clientId, int bufferSize, Duration commitInterval,
    Duration revokeTimeout, Duration closeTimeout, boolean skipFinished, long stopAfter) {
}
