package dev.sluice.sqs;

import dev.sluice.spi.ConnectionState;
import java.time.Duration;

/**
 * A snapshot of an {@link SqsSource}: what it received and how it settled it, and the queue as
 * SQS last reported it. Immutable.
 *
 * <p>The queue figures come from {@code GetQueueAttributes} every
 * {@link SqsSource.Builder#statsInterval} and are approximate, as SQS says; -1 until the first
 * sample. SQS does not report the age of the oldest message through its API (only CloudWatch
 * does), so {@code oldestAgeSeen} is the oldest age (now − sent time) among the messages this
 * source received in the last interval: a lower bound on how far behind the consumers are.
 *
 * @param state                where the source's connection stands
 * @param received             messages received and handed to the pipeline
 * @param deleted              messages deleted after their acknowledgement
 * @param released             messages made visible again (nacked, or left when closed)
 * @param extended             visibility extensions SQS accepted
 * @param lost                 deletes or releases SQS refused or that failed for good: those
 *                             messages come back after their visibility timeout
 * @param ceilingReached       messages no longer extended because they hit the ceiling
 * @param inProgress           received, not yet acknowledged or nacked
 * @param approximateMessages  messages available in the queue (ApproximateNumberOfMessages)
 * @param approximateInFlight  messages received by any consumer and not yet deleted
 *                             (ApproximateNumberOfMessagesNotVisible)
 * @param approximateDelayed   messages not yet due (ApproximateNumberOfMessagesDelayed)
 * @param oldestAgeSeen        see above; zero when nothing was received in the interval
 */
public record SqsSourceStats(ConnectionState state, long received, long deleted, long released,
    long extended, long lost, long ceilingReached, int inProgress, long approximateMessages,
    long approximateInFlight, long approximateDelayed, Duration oldestAgeSeen) {

  /** One line for logs. */
  public String summaryLine() {
    return state.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ", received " + received + ", deleted " + deleted + ", released " + released
        + ", extended " + extended + (lost > 0 ? ", lost acks " + lost : "")
        + ", in progress " + inProgress
        + (approximateMessages >= 0 ? ", queue ~" + approximateMessages + " waiting, ~"
            + approximateInFlight + " in flight" : "")
        + (oldestAgeSeen.isZero() ? "" : ", oldest seen " + oldestAgeSeen.toMillis() + " ms");
  }
}
