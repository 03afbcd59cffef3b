package dev.sluice.cli.testing;

import dev.sluice.Message;
import dev.sluice.MessageProcessor;

/**
 * A processor for {@code --processor} tests on Kafka: answers
 * {@code MEMBER|PAYLOAD|PARTITION|OFFSET}, where MEMBER is the {@code SLUICE_MEMBER} variable
 * of the process, so a test can tell which member did what, and in which order.
 */
public final class TagRecord implements MessageProcessor<String, String> {

  private final String member = System.getenv().getOrDefault("SLUICE_MEMBER", "?");

  @Override
  public String process(Message<String> message, int attempt) {
    return member + "|" + message.payload() + "|" + message.headers().get("kafka.partition")
        + "|" + message.sequence();
  }
}
