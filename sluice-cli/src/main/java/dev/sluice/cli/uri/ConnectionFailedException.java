package dev.sluice.cli.uri;

/**
 * A connection that could not be made, as one sentence for a person (see
 * {@link ConnectionFailures}): no cause chain, and {@link #toString()} is the sentence alone,
 * so that whoever prints it (the engine's "source failed: ...") shows no Java class name.
 */
final class ConnectionFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  ConnectionFailedException(String sentence) {
    super(sentence, null, false, false);
  }

  @Override
  public String toString() {
    return getMessage();
  }
}
