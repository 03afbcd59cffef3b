package dev.sluice.spi;

/**
 * Implemented by a source (the {@code Flow.Publisher} handed to the pipeline) that holds a
 * connection, so that whatever shows the source (a metrics binding, the command's live page,
 * {@code /health}) reads where it stands without knowing the connector. The companion of
 * {@link SourceBacklog}: one says whether messages can flow, the other how many are waiting.
 *
 * <p><b>Threads.</b> Called from any thread (a metrics scrape, a status line), concurrently
 * with the source's own threads: implementations must be thread-safe, cheap and non-blocking
 * (read a volatile field that the source's own thread writes).
 */
@FunctionalInterface
public interface SourceConnection {

  /** Where the source's connection stands now. */
  ConnectionState state();

  /**
   * {@code source}'s state when it reports one, else null (a source without a connection: a
   * file, an iterable, a generator).
   */
  static ConnectionState of(Object source) {
    return source instanceof SourceConnection ? ((SourceConnection) source).state() : null;
  }
}
