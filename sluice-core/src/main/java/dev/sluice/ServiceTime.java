package dev.sluice;

import dev.sluice.internal.Engine;

/**
 * What a processor tells the capacity model about its attempts. The model's service time (the
 * mean attempt time behind "workers needed" and the adaptive pool's decisions) should be work
 * on messages only: a processor whose attempt also waited for something that happens once, such
 * as an external worker starting up, says so, and that attempt is left out.
 *
 * <p><b>Threads.</b> Call it from inside {@link MessageProcessor#process}, on the worker's
 * thread; elsewhere it does nothing.
 */
public final class ServiceTime {

  private ServiceTime() {
  }

  /** Leaves the attempt this worker is running out of the service time. */
  public static void excludeThisAttempt() {
    Engine.excludeCurrentAttemptFromServiceTime();
  }
}
