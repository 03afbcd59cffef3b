package dev.sluice.cli;

import dev.sluice.Message;
import dev.sluice.cli.json.Json;
import dev.sluice.cli.json.JsonException;
import dev.sluice.cli.json.JsonPointer;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key that {@code --ordering key=EXPR} groups messages by. {@code EXPR} is one of:
 * <ul>
 *   <li>{@code line}: the whole payload;</li>
 *   <li>{@code topic}: the message's topic (MQTT topic, file name);</li>
 *   <li>{@code topic[N]}: level N of the topic, counting from 0 ({@code topic[1]} of
 *       {@code sensors/kitchen/temp} is {@code kitchen});</li>
 *   <li>{@code json:/pointer}: the value a JSON Pointer names in the payload (a string as is,
 *       anything else as JSON text);</li>
 *   <li>{@code key}: the message's own key (a Kafka record's key);</li>
 *   <li>{@code partition}: the Kafka partition it came from (per-partition order).</li>
 * </ul>
 * A message with no such key (no topic, too few levels, a payload that is not JSON or lacks
 * the member) has a null key, so it is held back by nothing, as under {@code unordered}.
 *
 * <p>Immutable and thread-safe; {@link #apply} runs on the source's thread.
 */
final class KeyExpression implements Function<Message<String>, Object> {

  private static final Pattern TOPIC_LEVEL = Pattern.compile("topic\\[(\\d{1,4})]");
  static final String FORMS = "use key=line, key=topic, key=topic[N], key=json:/pointer, "
      + "key=key or key=partition";

  private final String text;
  private final Function<Message<String>, Object> extractor;

  private KeyExpression(String text, Function<Message<String>, Object> extractor) {
    this.text = text;
    this.extractor = extractor;
  }

  /**
   * Reads an expression (the text after {@code key=}).
   *
   * @throws IllegalArgumentException naming the expression and the accepted forms
   */
  static KeyExpression parse(String expression) {
    String e = expression.strip();
    if (e.equals("line")) {
      return new KeyExpression(e, Message::payload);
    }
    if (e.equals("topic")) {
      return new KeyExpression(e, Message::topic);
    }
    if (e.equals("key")) {
      return new KeyExpression(e, Message::key);
    }
    if (e.equals("partition")) {
      return new KeyExpression(e, m -> m.headers().get("kafka.partition"));
    }
    Matcher level = TOPIC_LEVEL.matcher(e);
    if (level.matches()) {
      int n = Integer.parseInt(level.group(1));
      return new KeyExpression(e, m -> topicLevel(m.topic(), n));
    }
    if (e.startsWith("json:")) {
      JsonPointer pointer;
      try {
        pointer = JsonPointer.parse(e.substring("json:".length()));
      } catch (JsonException bad) {
        throw new IllegalArgumentException("bad key expression '" + expression + "': "
            + bad.getMessage());
      }
      return new KeyExpression(e, m -> jsonKey(m.payload(), pointer));
    }
    throw new IllegalArgumentException("bad key expression '" + expression + "': " + FORMS);
  }

  @Override
  public Object apply(Message<String> message) {
    return extractor.apply(message);
  }

  private static String topicLevel(String topic, int n) {
    if (topic == null) {
      return null;
    }
    String[] levels = topic.split("/", -1);
    return n < levels.length ? levels[n] : null;
  }

  private static Object jsonKey(String payload, JsonPointer pointer) {
    Optional<Object> value;
    try {
      value = pointer.find(Json.parse(payload));
    } catch (JsonException notJson) {
      return null;
    }
    return value.map(v -> v instanceof String ? (String) v : Json.write(v)).orElse(null);
  }

  @Override
  public String toString() {
    return text;
  }
}
