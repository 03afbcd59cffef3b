package dev.sluice;

import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * Where a pipeline starts:
 *
 * <pre>{@code
 * Pipeline pipeline = Sluice.from(Sources.generate(10, Duration.ofSeconds(1), Event::new))
 *     .workers(5)
 *     .ordering(Ordering.ORDERED)
 *     .process(event -> score(event))
 *     .to(Sinks.callback(System.out::println))
 *     .start();
 * pipeline.awaitCompletion();
 * }</pre>
 */
public final class Sluice {

  private Sluice() {
  }

  /**
   * Starts a pipeline on {@code source}. The pipeline subscribes once, when started, and
   * requests only as many messages as it has room for: demand is its flow control.
   */
  public static <T> PipelineBuilder<T, T> from(Flow.Publisher<Message<T>> source) {
    return new PipelineBuilder<>(Objects.requireNonNull(source, "source"));
  }
}
