package dev.sluice.sqs.internal;

import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** Queue names, URLs and attributes. Stateless; safe from any thread. */
public final class Queues {

  private Queues() {
  }

  /** True when {@code queue} is a full queue URL rather than a name. */
  public static boolean isUrl(String queue) {
    return queue.startsWith("https://") || queue.startsWith("http://");
  }

  /** The queue's name: {@code queue} itself, or the last segment of its URL. */
  public static String name(String queue) {
    if (!isUrl(queue)) {
      return queue;
    }
    String path = queue.endsWith("/") ? queue.substring(0, queue.length() - 1) : queue;
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Checks a queue name as SQS does: 1–80 letters, digits, '-' or '_', FIFO ending ".fifo". */
  public static void checkName(String queue) {
    String name = name(queue);
    if (!name.matches("[A-Za-z0-9_-]{1,75}(\\.fifo)?") || name.length() > 80) {
      throw new IllegalArgumentException("queue must be an SQS queue name (1-80 letters, digits,"
          + " '-' or '_', FIFO queues ending in .fifo) or a queue URL but was '" + queue + "'");
    }
  }

  /** True for a FIFO queue's name. */
  public static boolean isFifo(String queue) {
    return name(queue).endsWith(".fifo");
  }

  /**
   * The queue's URL: {@code queue} itself if it is one, else looked up by name.
   *
   * @throws IllegalStateException naming the queue if it does not exist
   */
  public static String url(SqsClient client, String queue) {
    if (isUrl(queue)) {
      return queue;
    }
    try {
      return client.getQueueUrl(b -> b.queueName(queue)).queueUrl();
    } catch (QueueDoesNotExistException e) {
      throw new IllegalStateException("SQS queue '" + queue + "' does not exist: create it"
          + " first, or check the region and endpoint", e);
    }
  }

  /** The given attributes of the queue at {@code url}. */
  public static Map<QueueAttributeName, String> attributes(SqsClient client, String url,
      QueueAttributeName... names) {
    return client.getQueueAttributes(b -> b.queueUrl(url).attributeNames(names)).attributes();
  }
}
