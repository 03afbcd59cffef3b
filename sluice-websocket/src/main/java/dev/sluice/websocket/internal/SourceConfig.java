package dev.sluice.websocket.internal;

import dev.sluice.DeadLetter;
import dev.sluice.Sink;
import dev.sluice.websocket.BinaryMode;
import dev.sluice.websocket.OverflowPolicy;
import java.time.Duration;

/**
 * A {@link dev.sluice.websocket.WebSocketSource}'s validated settings. Immutable.
 *
 * @param deadLetters          where too-large and malformed messages go, or null to log them
 * @param maxReconnectAttempts consecutive failed attempts before giving up;
 *                             {@link Integer#MAX_VALUE} for no limit, 0 for no reconnect
 */
public record SourceConfig(
    Endpoint endpoint, int maxMessageSize, int bufferSize, OverflowPolicy overflow,
    BinaryMode binaryMode, Duration initialBackoff, Duration maxBackoff,
    int maxReconnectAttempts, Sink<? super DeadLetter<String>> deadLetters) {
}
