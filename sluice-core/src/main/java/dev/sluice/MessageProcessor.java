package dev.sluice;

/**
 * A {@link Processor} that sees the whole {@link Message} (key, topic, headers) and which
 * attempt this is (1 for the first). Same contract and threading as {@link Processor}.
 * It must not call {@link Message#ack()} itself: the pipeline acknowledges after the
 * result is written.
 *
 * @param <T> the payload type
 * @param <R> the result type
 */
@FunctionalInterface
public interface MessageProcessor<T, R> {
  R process(Message<T> message, int attempt) throws Exception;
}
