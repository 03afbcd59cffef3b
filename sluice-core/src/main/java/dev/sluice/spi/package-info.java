/**
 * The source SPI: what a connector (WebSocket, MQTT, Kafka, SQS, a file) builds on, so that
 * demand, buffering, overflow, the Reactive Streams rules, reconnect backoff and messages that
 * failed before processing are written once.
 *
 * <ul>
 *   <li>{@link dev.sluice.spi.SourceEmitter}: one subscriber's bounded emitter, with
 *       {@link dev.sluice.spi.SourceEmitter#tryEmit tryEmit} answering an
 *       {@link dev.sluice.spi.EmitResult} and one {@link dev.sluice.spi.OverflowPolicy};</li>
 *   <li>{@link dev.sluice.Message#failed Message.failed}: a message the source could not
 *       deliver as it was (oversize, malformed), which the pipeline dead-letters with attempts 0
 *       and counts in {@code Stats.deadLettered()};</li>
 *   <li>{@link dev.sluice.spi.ConnectionState}: one vocabulary for every connection, which a
 *       source reports by implementing {@link dev.sluice.spi.SourceConnection};</li>
 *   <li>{@link dev.sluice.spi.SourceBacklog}: the messages a source has ready and not yet
 *       emitted (a broker's lag, a queue's depth), for the capacity model and the metrics;</li>
 *   <li>{@link dev.sluice.spi.Backoff}: exponential backoff with jitter.</li>
 * </ul>
 *
 * <p>A source is still any {@code Flow.Publisher<Message<T>>}: nothing here is required, but a
 * connector that hand-writes its own demand counter and drain loop is a bug waiting to happen.
 */
package dev.sluice.spi;
