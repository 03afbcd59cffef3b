package dev.sluice.mqtt;

import dev.sluice.spi.ConnectionState;
import java.time.Duration;

/**
 * A snapshot of an {@link MqttSource}: its connection and its acknowledgement window. Immutable.
 *
 * <p>The ack window matters because the HiveMQ client sends PUBACKs in arrival order: one slow
 * message holds back the acknowledgement of every later one, and once Receive Maximum
 * deliveries are unacknowledged the broker sends nothing more. {@code oldestUnacked} growing
 * while {@code unacked} sits at the Receive Maximum is that stall; the pipeline's task timeout
 * bounds it.
 *
 * @param state          the connection's state
 * @param reconnects     connections lost and re-established (or being re-established) so far
 * @param received       messages received from the broker, including rejected and dropped ones
 * @param acked          messages acknowledged (processed and written, or dead-lettered), not
 *                       counting rejected ones
 * @param nacked         messages given up unprocessed: left unacknowledged, so the broker
 *                       redelivers them on the next connection of this client id
 * @param unacked        QoS 1/2 messages received and not yet settled (the ack window)
 * @param oldestUnacked  how long the oldest of those has waited; zero when none
 * @param buffered       messages received and not yet taken by the pipeline
 * @param qos0Dropped    QoS 0 messages discarded by the overflow policy
 * @param rejected       messages over the payload limit, handed to the pipeline already failed
 *                       (it dead-letters them with attempts 0)
 */
public record MqttSourceStats(ConnectionState state, long reconnects, long received, long acked,
    long nacked, long unacked, Duration oldestUnacked, long buffered, long qos0Dropped,
    long rejected) {

  /** One line for logs and status displays. */
  public String summaryLine() {
    return "mqtt " + state + ", received " + received + ", acked " + acked + ", ack window "
        + unacked + " (oldest " + oldestUnacked.toMillis() + " ms), buffered " + buffered
        + (qos0Dropped > 0 ? ", QoS 0 dropped " + qos0Dropped : "")
        + (rejected > 0 ? ", rejected " + rejected : "")
        + (reconnects > 0 ? ", reconnects " + reconnects : "");
  }
}
