package dev.sluice.mqtt.internal;

import dev.sluice.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * A topic with {@code {key}}, {@code {topic}} and {@code {topic.N}} parts, filled from the
 * source message. Immutable and thread-safe. A missing key, topic or level renders as {@code _}.
 */
public final class TopicTemplate {

  private static final int KEY = -1;
  private static final int TOPIC = -2;

  private final List<Object> parts;   // String literals, or Integer: KEY, TOPIC, or a level

  private TopicTemplate(List<Object> parts) {
    this.parts = parts;
  }

  /**
   * Parses {@code template}.
   *
   * @throws IllegalArgumentException for an unknown or unclosed placeholder, or a wildcard
   */
  public static TopicTemplate parse(String template) {
    if (template.contains("+") || template.contains("#")) {
      throw new IllegalArgumentException("topic must not contain '+' or '#' but was '"
          + template + "'");
    }
    List<Object> parts = new ArrayList<>();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      if (open < 0) {
        parts.add(template.substring(i));
        break;
      }
      if (open > i) {
        parts.add(template.substring(i, open));
      }
      int close = template.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '{' in topic '" + template + "'");
      }
      String name = template.substring(open + 1, close);
      if (name.equals("key")) {
        parts.add(KEY);
      } else if (name.equals("topic")) {
        parts.add(TOPIC);
      } else if (name.matches("topic\\.\\d{1,4}")) {
        parts.add(Integer.parseInt(name.substring(6)));
      } else {
        throw new IllegalArgumentException("unknown placeholder {" + name + "} in topic '"
            + template + "': use {key}, {topic} or {topic.N}");
      }
      i = close + 1;
    }
    return new TopicTemplate(List.copyOf(parts));
  }

  /** The topic for a result of {@code source}. */
  public String render(Message<?> source) {
    if (parts.size() == 1 && parts.get(0) instanceof String) {
      return (String) parts.get(0);
    }
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof String) {
        out.append((String) part);
        continue;
      }
      int code = (Integer) part;
      String topic = source == null ? null : source.topic();
      if (code == KEY) {
        Object key = source == null ? null : source.key();
        out.append(key == null ? "_" : key.toString());
      } else if (code == TOPIC) {
        out.append(topic == null ? "_" : topic);
      } else {
        String[] levels = topic == null ? new String[0] : topic.split("/", -1);
        out.append(code < levels.length && !levels[code].isEmpty() ? levels[code] : "_");
      }
    }
    return out.toString();
  }
}
