package dev.sluice.internal;

import dev.sluice.DrainResult;
import dev.sluice.Pipeline;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * A partitioned pipeline: the engine's own, with the {@link PartitionFilter}'s skipped count
 * added to every {@link Stats} it hands out. Every method is safe from any thread, as the
 * engine's are; the completion's dependents run on the thread that ends the pipeline.
 */
public final class SkipCountingPipeline implements Pipeline {

  private final Pipeline engine;
  private final LongSupplier skipped;
  private final CompletableFuture<Stats> completion;

  public SkipCountingPipeline(Pipeline engine, LongSupplier skipped) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.skipped = Objects.requireNonNull(skipped, "skipped");
    this.completion = engine.completion().thenApply(this::withSkipped);
  }

  private Stats withSkipped(Stats stats) {
    return stats.withSkipped(skipped.getAsLong());
  }

  @Override
  public State state() {
    return engine.state();
  }

  @Override
  public Stats stats() {
    return withSkipped(engine.stats());
  }

  @Override
  public CompletableFuture<Stats> completion() {
    return completion;
  }

  @Override
  public Stats awaitCompletion() throws InterruptedException {
    return withSkipped(engine.awaitCompletion());
  }

  @Override
  public DrainResult drain(Duration timeout) throws InterruptedException {
    return engine.drain(timeout);
  }

  @Override
  public void close() {
    engine.close();
  }
}
