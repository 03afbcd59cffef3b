package dev.sluice;

import java.util.List;

/**
 * What {@link Pipeline#drain(java.time.Duration)} or {@link Pipeline#close()} achieved.
 *
 * @param clean          true when every received message was settled (processed,
 *                       dead-lettered) within the timeout and every worker stopped
 * @param abandoned      messages given up unprocessed and nacked, so the source may redeliver
 * @param stuckWorkers   names of worker threads that ignored interruption and were still
 *                       running when the pipeline gave up waiting (they are daemon threads
 *                       and do not keep the JVM alive)
 * @param stats          the final statistics
 */
public record DrainResult(boolean clean, long abandoned, List<String> stuckWorkers, Stats stats) {
  public DrainResult {
    stuckWorkers = List.copyOf(stuckWorkers);
  }
}
