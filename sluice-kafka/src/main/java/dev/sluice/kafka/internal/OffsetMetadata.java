package dev.sluice.kafka.internal;

import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;

/**
 * The commit metadata that carries a partition's finished offsets above its committed
 * watermark, so that the next owner of the partition skips them instead of processing them a
 * second time.
 *
 * <p>Format: {@code sluice1:} then the base64 (URL alphabet, no padding) of a bit set whose bit
 * {@code i} means offset {@code watermark + 1 + i} is finished. The watermark itself is always
 * unfinished, so it needs no bit. The text is cut to fit {@code maxChars} by dropping the
 * highest offsets: a dropped offset is only processed again, never skipped wrongly.
 * Metadata in any other form (another tool's, or none) decodes to nothing to skip.
 *
 * <p>Stateless and thread-safe.
 */
public final class OffsetMetadata {

  static final String PREFIX = "sluice1:";
  /** Kafka's default {@code offset.metadata.max.bytes} is 4096; stay well below it. */
  public static final int DEFAULT_MAX_CHARS = 4000;

  private static final long[] NONE = new long[0];

  private OffsetMetadata() {
  }

  /**
   * Encodes {@code finished} (ascending, all above {@code watermark}) relative to
   * {@code watermark}; empty when there is nothing to say.
   */
  public static String encode(long watermark, long[] finished, int maxChars) {
    if (finished.length == 0 || maxChars <= PREFIX.length()) {
      return "";
    }
    // Each 3 bytes become 4 characters: the largest bit set that fits.
    int maxBytes = (maxChars - PREFIX.length()) / 4 * 3;
    long maxBits = (long) maxBytes * 8;
    BitSet bits = new BitSet();
    for (long offset : finished) {
      long bit = offset - watermark - 1;
      if (bit < 0) {
        throw new IllegalArgumentException("finished offset " + offset
            + " is not above the watermark " + watermark);
      }
      if (bit >= maxBits) {
        break;
      }
      bits.set((int) bit);
    }
    if (bits.isEmpty()) {
      return "";
    }
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bits.toByteArray());
  }

  /**
   * The finished offsets that {@code metadata} records above {@code watermark}, ascending;
   * empty for metadata not written by {@link #encode} or not readable.
   */
  public static long[] decode(long watermark, String metadata) {
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return NONE;
    }
    BitSet bits;
    try {
      bits = BitSet.valueOf(Base64.getUrlDecoder().decode(metadata.substring(PREFIX.length())));
    } catch (IllegalArgumentException e) {
      return NONE;
    }
    return bits.stream().mapToLong(i -> watermark + 1 + i).toArray();
  }

  /** True if {@code offset} is in {@code sortedOffsets}. */
  public static boolean contains(long[] sortedOffsets, long offset) {
    return Arrays.binarySearch(sortedOffsets, offset) >= 0;
  }
}
