package dev.sluice.mqtt;

/** A QoS 0 message arrived at a full buffer under {@link OverflowPolicy#FAIL}. */
public final class MqttOverflowException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An overflow of a buffer of {@code capacity} messages. */
  public MqttOverflowException(int capacity) {
    super("QoS 0 buffer of " + capacity + " messages overflowed (overflow policy FAIL)");
  }
}
