package dev.sluice.internal;

import dev.sluice.DeadLetter;
import dev.sluice.Message;
import dev.sluice.MessageProcessor;
import dev.sluice.Ordering;
import dev.sluice.RetryPolicy;
import dev.sluice.Sink;
import dev.sluice.Stats;
import dev.sluice.Ticker;
import dev.sluice.Workers;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A checked, immutable pipeline configuration, made by {@code PipelineBuilder.start()}.
 * {@code keyFunction} is non-null exactly when {@code ordering} is BY_KEY; {@code statsListener}
 * may be null. Exactly one of {@code processor} (shared by all workers) and {@code perWorker}
 * (one processor made per worker) is non-null. {@code maxInFlight} is the widest the in-flight
 * window may grow; {@code initialWindow} where it starts: equal, the window is fixed (see
 * {@code DemandWindow}).
 */
public record PipelineConfig<T>(
    Flow.Publisher<Message<T>> source,
    Workers workers,
    int maxInFlight,
    int initialWindow,
    Ordering ordering,
    Function<? super Message<T>, ?> keyFunction,
    MessageProcessor<T, Object> processor,
    Supplier<? extends MessageProcessor<T, Object>> perWorker,
    Sink<Object> sink,
    Sink<? super DeadLetter<T>> deadLetters,
    RetryPolicy retry,
    Duration timeout,
    Duration drainTimeout,
    Duration interruptGrace,
    Duration statsInterval,
    Consumer<? super Stats> statsListener,
    Ticker ticker,
    String name) {
}
