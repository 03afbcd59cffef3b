package dev.sluice.cli.exec;

import dev.sluice.Message;
import dev.sluice.cli.json.Json;
import dev.sluice.cli.json.JsonException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a message goes to a child process and how its answer comes back: one line each way.
 *
 * <p>Stateless and thread-safe; called on worker threads.
 */
public enum ExecFormat {

  /**
   * The payload as one line in; the child's next line out is the result. A payload with a
   * line break cannot be sent this way and fails its attempt (use {@link #JSON}).
   */
  LINE {
    @Override
    String request(Message<String> message, Object key, int attempt) {
      String payload = message.payload();
      if (payload.indexOf('\n') >= 0 || payload.indexOf('\r') >= 0) {
        throw new ExecException.BadPayload("the payload has a line break, which line mode "
            + "cannot send: use --exec-format json");
      }
      return payload;
    }

    @Override
    String result(String reply) {
      return reply;
    }
  },

  /**
   * {@code {"payload":…,"key":…,"topic":…,"attempt":n}} in (key and topic null when absent);
   * {@code {"result":…}} back, where a string result is written as is and any other value as
   * JSON (null writes nothing), or {@code {"error":"…"}} to fail the attempt without
   * restarting the child.
   */
  JSON {
    @Override
    String request(Message<String> message, Object key, int attempt) {
      Map<String, Object> request = new LinkedHashMap<>();
      request.put("payload", message.payload());
      request.put("key", key == null ? null : key.toString());
      request.put("topic", message.topic());
      request.put("attempt", (long) attempt);
      return Json.write(request);
    }

    @Override
    String result(String reply) throws ExecException {
      Object parsed;
      try {
        parsed = Json.parse(reply);
      } catch (JsonException e) {
        throw new ExecException.ProtocolBroken("the child's reply is not JSON ("
            + e.getMessage() + "): " + abbreviate(reply));
      }
      if (!(parsed instanceof Map)) {
        throw new ExecException.ProtocolBroken("the child's reply is not a JSON object: "
            + abbreviate(reply));
      }
      Map<?, ?> object = (Map<?, ?>) parsed;
      if (object.containsKey("error")) {
        Object error = object.get("error");
        throw new ExecException.ErrorReply(error instanceof String ? (String) error
            : Json.write(error));
      }
      if (!object.containsKey("result")) {
        throw new ExecException.ProtocolBroken("the child's reply has neither \"result\" nor "
            + "\"error\": " + abbreviate(reply));
      }
      Object result = object.get("result");
      if (result == Json.NULL) {
        return null;
      }
      return result instanceof String ? (String) result : Json.write(result);
    }
  };

  /** The line to send for {@code message}'s attempt number {@code attempt}. */
  abstract String request(Message<String> message, Object key, int attempt);

  /** The result in the child's reply line, or null for nothing to write. */
  abstract String result(String reply) throws ExecException;

  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
