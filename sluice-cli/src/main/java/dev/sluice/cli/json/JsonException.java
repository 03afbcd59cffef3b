package dev.sluice.cli.json;

/** Text that is not valid JSON, or a JSON Pointer that is malformed; the message says where. */
public final class JsonException extends IllegalArgumentException {
  public JsonException(String message) {
    super(message);
  }
}
