package dev.sluice.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A message's headers, made from its record only when something reads them: the record's own
 * headers as UTF-8 text, plus its partition, offset and timestamp as decimal text.
 *
 * <p><b>Why.</b> Building that map eagerly for every record (text for two longs, a map) was
 * about a fifth of the consumer thread's time, the thread that limits a Kafka pipeline's
 * throughput, while most processors never read the headers.
 *
 * <p><b>Threads.</b> Unmodifiable and safe from any thread: the map is built at most a few
 * times (two threads reading first may both build it; they build equal, immutable maps, and
 * {@link Map#copyOf} publishes safely through its final fields).
 */
final class RecordHeaders extends AbstractMap<String, String> {

  // the names KafkaSource documents as PARTITION_HEADER, OFFSET_HEADER and TIMESTAMP_HEADER
  private static final String PARTITION = "kafka.partition";
  private static final String OFFSET = "kafka.offset";
  private static final String TIMESTAMP = "kafka.timestamp";

  private final Headers headers;
  private final int partition;
  private final long offset;
  private final long timestamp;
  private Map<String, String> built;

  RecordHeaders(Headers headers, int partition, long offset, long timestamp) {
    this.headers = headers;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
  }

  private Map<String, String> map() {
    Map<String, String> m = built;
    if (m == null) {
      Map<String, String> all = new HashMap<>();
      for (Header h : headers) {
        byte[] value = h.value();
        all.put(h.key(), value == null ? "" : new String(value, StandardCharsets.UTF_8));
      }
      all.put(PARTITION, Integer.toString(partition));
      all.put(OFFSET, Long.toString(offset));
      all.put(TIMESTAMP, Long.toString(timestamp));
      m = Map.copyOf(all);
      built = m;
    }
    return m;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return map().entrySet();
  }

  @Override
  public String get(Object key) {
    return map().get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return map().containsKey(key);
  }

  @Override
  public int size() {
    return map().size();
  }

  @Override
  public boolean isEmpty() {
    return false;
  }
}
