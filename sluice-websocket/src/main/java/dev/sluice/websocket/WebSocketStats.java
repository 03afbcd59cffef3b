package dev.sluice.websocket;

import dev.sluice.spi.ConnectionState;

/**
 * An immutable snapshot of a {@link WebSocketSource}'s counters, from
 * {@link WebSocketSource#stats()}. Counters are totals since the subscription, across
 * reconnects.
 *
 * @param state           the connection's state now
 * @param received        complete messages read from the server (text and binary, including
 *                        those later dropped or dead-lettered)
 * @param delivered       messages handed to the subscriber
 * @param dropped         messages discarded (and nacked) by the overflow policy, or because the
 *                        subscriber cancelled while they were buffered
 * @param deadLettered    messages handed to the pipeline as already failed (too large,
 *                        malformed), for it to dead-letter; they count in {@code delivered} too
 * @param reconnects      connection attempts made after the first
 * @param buffered        complete messages held now, read and not yet delivered
 * @param bufferedPeak    the most ever held at once; never more than {@code bufferSize}
 * @param lastCloseCode   the status code of the last close the server sent, or -1 if none
 * @param lastCloseReason the reason that came with it, or "" if none
 * @param lastError       the last connection error ({@code toString()} of the exception), or
 *                        null if none
 */
public record WebSocketStats(
    ConnectionState state, long received, long delivered, long dropped, long deadLettered,
    long reconnects, int buffered, int bufferedPeak, int lastCloseCode, String lastCloseReason,
    String lastError) {
}
