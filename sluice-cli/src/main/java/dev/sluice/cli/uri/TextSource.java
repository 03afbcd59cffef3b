package dev.sluice.cli.uri;

import dev.sluice.Message;
import dev.sluice.spi.SourceBacklog;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A broker source's byte payloads as UTF-8 text for the command's workers, with a failure
 * before the source first connected turned into one sentence naming the server. Signals pass
 * straight through on the source's own threads; acks go to the original message. Stateless.
 */
final class TextSource {

  private TextSource() {}

  /**
   * {@code source} with each payload decoded as UTF-8. A failure while {@code connected} is
   * not yet done, or failed, becomes a {@link ConnectionFailedException} saying why, naming
   * {@code target}; a later failure passes through unchanged.
   */
  static Flow.Publisher<Message<String>> utf8(Flow.Publisher<Message<byte[]>> source,
      CompletableFuture<?> connected, String target) {
    return new Decoded(source, connected, target);
  }

  /** The decoding publisher; passes on the backlog its source reports (see SourceBacklog). */
  private record Decoded(Flow.Publisher<Message<byte[]>> source, CompletableFuture<?> connected,
      String target) implements Flow.Publisher<Message<String>>, SourceBacklog {

    @Override
    public long backlog() {
      return SourceBacklog.of(source);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Message<String>> subscriber) {
      source.subscribe(new Flow.Subscriber<Message<byte[]>>() {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {
          subscriber.onSubscribe(subscription);
        }

        @Override
        public void onNext(Message<byte[]> message) {
          subscriber.onNext(message.withPayload(
              new String(message.payload(), StandardCharsets.UTF_8)));
        }

        @Override
        public void onError(Throwable error) {
          boolean connecting = !connected.isDone() || connected.isCompletedExceptionally();
          subscriber.onError(connecting
              ? new ConnectionFailedException(ConnectionFailures.describe(target, error))
              : error);
        }

        @Override
        public void onComplete() {
          subscriber.onComplete();
        }
      });
    }
  }
}
