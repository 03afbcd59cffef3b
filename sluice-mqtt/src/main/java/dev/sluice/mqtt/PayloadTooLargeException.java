package dev.sluice.mqtt;

/**
 * The cause given with a message an {@link MqttSource} rejected because its payload exceeds the
 * configured maximum. The rejected {@link dev.sluice.DeadLetter} carries an empty payload and the
 * original size in the header {@value MqttSource#PAYLOAD_BYTES_HEADER}.
 */
public final class PayloadTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A payload of {@code size} bytes over a limit of {@code limit}. */
  public PayloadTooLargeException(long size, long limit) {
    super("payload of " + size + " bytes exceeds the limit of " + limit + " bytes");
  }
}
