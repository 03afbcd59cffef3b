package dev.sluice;

/**
 * How a source learns the fate of one message it delivered.
 *
 * <p>Sources with acknowledgement (MQTT, Kafka) implement this; sources without it use
 * {@link #NONE}. The engine never calls these methods directly: it calls {@link Message#ack()}
 * and {@link Message#nack(Throwable)}, which guarantee that exactly one of the two reaches the
 * acknowledger, once.
 *
 * <p><b>Threads.</b> Either method may be called from any thread (a worker, the sink's
 * completion thread, the pipeline's timer); implementations hand the work to their own I/O
 * thread where their protocol needs it, and must not block.
 */
public interface Acknowledger {

  /** An acknowledger that does nothing: for sources that have no acknowledgement. */
  Acknowledger NONE = new Acknowledger() {
    @Override public void ack() { }
    @Override public void nack(Throwable cause) { }
    @Override public String toString() { return "Acknowledger.NONE"; }
  };

  /** The message is done with: processed and its result written, or dead-lettered. */
  void ack();

  /**
   * The message was given up unprocessed (the pipeline closed before it ran, or the sink
   * failed): the source should redeliver it if it can.
   */
  void nack(Throwable cause);
}
