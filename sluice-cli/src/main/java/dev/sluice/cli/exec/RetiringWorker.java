package dev.sluice.cli.exec;

import dev.sluice.Message;
import dev.sluice.MessageProcessor;
import java.util.function.BooleanSupplier;

/**
 * One worker's view of a shared {@link ExecProcessor} in an adaptive pool: the pipeline makes
 * one per worker and closes it when the worker ends, which, while the pipeline still runs,
 * means the pool retired that worker, so its child is retired too. At the pipeline's end the
 * children are left to {@link ExecProcessor#close}, which waits for them.
 *
 * <p><b>Threads.</b> Made, used and closed on its worker's thread.
 */
public final class RetiringWorker implements MessageProcessor<String, Object>, AutoCloseable {

  private final MessageProcessor<String, Object> work;
  private final ExecProcessor children;
  private final BooleanSupplier running;

  /**
   * @param work     what each message runs through (the exec processor, possibly wrapped)
   * @param children the exec processor that owns the children
   * @param running  whether the pipeline still runs (so an ending worker was retired)
   */
  public RetiringWorker(MessageProcessor<String, Object> work, ExecProcessor children,
      BooleanSupplier running) {
    this.work = work;
    this.children = children;
    this.running = running;
  }

  @Override
  public Object process(Message<String> message, int attempt) throws Exception {
    return work.process(message, attempt);
  }

  @Override
  public void close() {
    if (running.getAsBoolean()) {
      children.retire(Thread.currentThread().getName());
    }
  }
}
