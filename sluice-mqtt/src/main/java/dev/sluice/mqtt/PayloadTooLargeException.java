package dev.sluice.mqtt;

import dev.sluice.spi.MessageTooLargeException;

/**
 * The failure of a message an {@link MqttSource} rejected because its payload exceeds the
 * configured maximum: the pipeline dead-letters it with attempts 0, an empty payload and the
 * original size in the header {@value MqttSource#PAYLOAD_BYTES_HEADER}.
 */
public final class PayloadTooLargeException extends MessageTooLargeException {
  private static final long serialVersionUID = 1L;

  /** A payload of {@code size} bytes over a limit of {@code limit}. */
  public PayloadTooLargeException(long size, long limit) {
    super("payload of " + size + " bytes exceeds the limit of " + limit + " bytes", size, limit);
  }
}
