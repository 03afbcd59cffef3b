package dev.sluice.websocket.internal;

import dev.sluice.websocket.BinaryMode;
import dev.sluice.spi.OverflowPolicy;
import java.time.Duration;

/**
 * A {@link dev.sluice.websocket.WebSocketSource}'s validated settings. Immutable.
 *
 * @param maxReconnectAttempts consecutive failed attempts before giving up;
 *                             {@link Integer#MAX_VALUE} for no limit, 0 for no reconnect
 */
public record SourceConfig(
    Endpoint endpoint, int maxMessageSize, int bufferSize, OverflowPolicy overflow,
    BinaryMode binaryMode, Duration initialBackoff, Duration maxBackoff,
    int maxReconnectAttempts) {
}
