package dev.sluice;

import java.nio.charset.StandardCharsets;

/**
 * One instance's share of a feed that several copies of a pipeline all receive in full (a
 * WebSocket feed, an MQTT subscription without shared subscriptions): instance {@code index}
 * of {@code count} processes exactly the messages whose key belongs to it, and acknowledges
 * the others unprocessed. {@code count} copies, one per index, together process every message
 * exactly once while all of them run. See {@link PipelineBuilder#partition}.
 *
 * <p><b>The hash</b> is fixed forever, so copies on different machines, versions or languages
 * agree: the key's UTF-8 bytes are hashed with 32-bit FNV-1a, and the owner is that hash, read
 * as an <em>unsigned</em> 32-bit number, modulo {@code count}:
 * <pre>{@code
 * h = 0x811C9DC5                      // FNV-1a 32-bit offset basis (2166136261)
 * for each byte b of UTF-8(key):
 *     h = h XOR b                     // b as 0..255
 *     h = (h * 0x01000193) mod 2^32   // FNV 32-bit prime (16777619)
 * owner = h mod count                 // h unsigned, 0 <= owner < count
 * }</pre>
 * Test vectors (key: hash, owner of 3): {@code ""}: 0x811C9DC5, 1; {@code "a"}: 0xE40C292C, 1;
 * {@code "foobar"}: 0xBF9CF968, 1; {@code "key-0"}: 0x58E035D9, 0; {@code "key-2"}:
 * 0x56E032B3, 2; {@code "größe"} (7 UTF-8 bytes): 0xCD38F49A, 2. A null key hashes as the
 * empty key.
 *
 * <p><b>What it does not do.</b> There is no coordination and no failover: a copy that is
 * down leaves its share unprocessed (on a feed without redelivery, lost to it). Where the
 * broker can spread work and rebalance (MQTT 5 shared subscriptions, SQS, Kafka consumer
 * groups), use that instead.
 *
 * <p>Immutable and thread-safe.
 */
public final class Partition {

  private static final int OFFSET_BASIS = 0x811C9DC5;
  private static final int PRIME = 0x01000193;

  private final int index;
  private final int count;

  private Partition(int index, int count) {
    this.index = index;
    this.count = count;
  }

  /**
   * Instance {@code index} (from 0) of {@code count}.
   *
   * @throws IllegalArgumentException unless {@code count >= 1} and {@code 0 <= index < count}
   */
  public static Partition of(int index, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("partition count must be >= 1 but was " + count);
    }
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException("partition index must be from 0 to " + (count - 1)
          + " but was " + index);
    }
    return new Partition(index, count);
  }

  /**
   * Reads {@code I/N}, as in {@code 0/3}.
   *
   * @throws IllegalArgumentException naming the text and the form expected
   */
  public static Partition parse(String text) {
    String t = text == null ? "" : text.strip();
    int slash = t.indexOf('/');
    try {
      if (slash > 0) {
        return of(Integer.parseInt(t.substring(0, slash).strip()),
            Integer.parseInt(t.substring(slash + 1).strip()));
      }
    } catch (NumberFormatException notNumbers) {
      // falls through to the message below
    } catch (IllegalArgumentException outOfRange) {
      throw new IllegalArgumentException("partition '" + text + "': " + outOfRange.getMessage());
    }
    throw new IllegalArgumentException("partition must be I/N, instance I of N counting from 0 "
        + "(0/3, 1/3, 2/3), but was '" + text + "'");
  }

  /** The 32-bit FNV-1a hash of {@code key}'s UTF-8 bytes (null: the empty key). */
  public static int hash(String key) {
    int h = OFFSET_BASIS;
    if (key != null) {
      for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
        h ^= b & 0xFF;
        h *= PRIME;
      }
    }
    return h;
  }

  /** The instance, from 0 to {@code count - 1}, that owns {@code key}. */
  public static int ownerOf(String key, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("partition count must be >= 1 but was " + count);
    }
    return Integer.remainderUnsigned(hash(key), count);
  }

  /** True if this instance processes messages with {@code key}. */
  public boolean owns(String key) {
    return count == 1 || ownerOf(key, count) == index;
  }

  /** This instance's index, from 0. */
  public int index() {
    return index;
  }

  /** How many instances share the feed. */
  public int count() {
    return count;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Partition p && p.index == index && p.count == count;
  }

  @Override
  public int hashCode() {
    return 31 * index + count;
  }

  /** {@code I/N}. */
  @Override
  public String toString() {
    return index + "/" + count;
  }
}
