package dev.sluice.cli;

import dev.sluice.Processor;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The work of one event in a consumer process of {@code sluice demo --via sqs --consumers N}:
 * each such process is a plain {@code sluice run --processor dev.sluice.cli.DemoConsumerWork}
 * on the demo's queue. Public only so that {@code --processor} can load it; not an API.
 *
 * <p>The payload is an event's index as text. The work lasts {@value #WORK_PROPERTY} (an
 * ISO-8601 duration, default 5 s), a sleep or, with {@value #CPU_PROPERTY}{@code =true}, a CPU
 * burn, as in the demo. Just before it, one line {@value #STARTED}{@code INDEX WORKER} goes to
 * stderr, so the demo can show when each event started; the result, written by the run's sink,
 * is {@code INDEX WORKER NANOS}: the event, the worker thread that did it, and how long it took.
 *
 * <p>Stateless after construction; {@link #process} may run on many workers at once.
 */
public final class DemoConsumerWork implements Processor<String, String> {

  /** The system property with the work time per event (ISO-8601, e.g. {@code PT5S}). */
  public static final String WORK_PROPERTY = "sluice.demo.work";
  /** The system property that, {@code true}, burns CPU instead of sleeping. */
  public static final String CPU_PROPERTY = "sluice.demo.cpu";
  /** How the stderr line that announces an event's start begins. */
  public static final String STARTED = "sluice-demo-started: ";

  private final Duration work;
  private final boolean cpu;
  private final PrintStream err;

  /** Reads the work time and kind from the system properties. */
  public DemoConsumerWork() {
    this.work = Duration.parse(System.getProperty(WORK_PROPERTY, "PT5S"));
    this.cpu = Boolean.getBoolean(CPU_PROPERTY);
    this.err = System.err;
  }

  @Override
  public String process(String payload) throws InterruptedException {
    long index = Long.parseLong(payload.strip());
    String worker = Thread.currentThread().getName();
    err.println(STARTED + index + " " + worker);
    long start = System.nanoTime();
    DemoCommand.work(work, cpu);
    return index + " " + worker + " " + (System.nanoTime() - start);
  }
}
