package dev.sluice.sqs.internal;

import dev.sluice.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * A FIFO group or deduplication id made from the source message: literal text with
 * {@code {key}}, {@code {topic}}, {@code {header:NAME}} and {@code {message-id}} (the SQS
 * message id of a message read from SQS) filled in. Immutable and thread-safe. A missing value
 * renders as {@code _}; characters SQS does not allow in ids become {@code _}, and the result is
 * cut to SQS's 128 characters.
 */
public final class IdTemplate {

  private static final int MAX = 128;

  private final String source;
  private final List<Object> parts;   // String literal, or Placeholder

  private record Placeholder(String kind, String header) { }

  private IdTemplate(String source, List<Object> parts) {
    this.source = source;
    this.parts = parts;
  }

  /**
   * Parses {@code template}; {@code what} names it in errors ("group id").
   *
   * @throws IllegalArgumentException for an unknown or unclosed placeholder
   */
  public static IdTemplate parse(String template, String what) {
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
        throw new IllegalArgumentException("unclosed '{' in " + what + " '" + template + "'");
      }
      String name = template.substring(open + 1, close);
      if (name.equals("key") || name.equals("topic") || name.equals("message-id")) {
        parts.add(new Placeholder(name, null));
      } else if (name.startsWith("header:") && name.length() > 7) {
        parts.add(new Placeholder("header", name.substring(7)));
      } else {
        throw new IllegalArgumentException("unknown placeholder {" + name + "} in " + what + " '"
            + template + "': use {key}, {topic}, {message-id} or {header:NAME}");
      }
      i = close + 1;
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return new IdTemplate(template, List.copyOf(parts));
  }

  /** The id for a result of {@code message} (which may be null: placeholders render "_"). */
  public String render(Message<?> message) {
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof String) {
        out.append((String) part);
        continue;
      }
      Placeholder p = (Placeholder) part;
      Object value = null;
      if (message != null) {
        switch (p.kind) {
          case "key": value = message.key(); break;
          case "topic": value = message.topic(); break;
          case "message-id": value = message.headers().get("sqs-message-id"); break;
          default: value = message.headers().get(p.header); break;
        }
      }
      out.append(value == null || value.toString().isEmpty() ? "_" : value.toString());
    }
    for (int i = 0; i < out.length(); i++) {
      char c = out.charAt(i);
      if (c < '!' || c > '~') {              // SQS allows printable ASCII without space
        out.setCharAt(i, '_');
      }
    }
    return out.length() > MAX ? out.substring(0, MAX) : out.toString();
  }

  @Override
  public String toString() {
    return source;
  }
}
