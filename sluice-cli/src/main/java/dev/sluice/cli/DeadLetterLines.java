package dev.sluice.cli;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.Sink;
import dev.sluice.cli.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Writes each dead letter to a line sink as one JSON object:
 * {@code {"payload":…,"topic":…,"key":…,"attempts":n,"error":"…"}} (topic and key null when
 * absent; error is the last failure's message, or its class when it has none).
 *
 * <p>Same threading as any {@link Sink}: never called concurrently.
 */
final class DeadLetterLines implements Sink<DeadLetter<String>> {

  private final Sink<Object> lines;

  DeadLetterLines(Sink<Object> lines) {
    this.lines = lines;
  }

  static String format(DeadLetter<String> letter) {
    Message<String> m = letter.message();
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("payload", m.payload());
    line.put("topic", m.topic());
    line.put("key", m.key() == null ? null : m.key().toString());
    line.put("attempts", (long) letter.attempts());
    Throwable cause = letter.cause();
    line.put("error", cause.getMessage() != null ? cause.getMessage()
        : cause.getClass().getName());
    return Json.write(line);
  }

  @Override
  public CompletionStage<Void> write(DeadLetter<String> letter, Message<?> source) {
    return lines.write(format(letter), source);
  }

  @Override
  public CompletionStage<Void> flush() {
    return lines.flush();
  }

  @Override
  public void close() throws Exception {
    lines.close();
  }
}
