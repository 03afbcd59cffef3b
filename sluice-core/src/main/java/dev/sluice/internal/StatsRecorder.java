package dev.sluice.internal;

import dev.sluice.Capacity;
import dev.sluice.Stats;
import dev.sluice.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what happens in a pipeline and turns it into {@link Stats} snapshots.
 *
 * <p><b>Threads.</b> The {@code on*} methods are called from workers, the timer and sink
 * completion threads, and use {@link LongAdder}s and a striped histogram, so they do not
 * contend. {@link #sample()} is called only by the timer thread; it keeps a short ring of
 * samples from which rates and recent service time are measured. {@link #snapshot} may be
 * called from any thread.
 */
final class StatsRecorder {

  /** The live figures the engine owns. */
  interface Gauges {
    long received();

    long settled();

    int busyWorkers();

    /** Messages held between receipt and settlement, at most {@link #maxInFlight()}. */
    default long inFlight() {
      return Math.max(0, received() - settled());
    }

    /** The in-flight bound: with this many held, the pipeline takes nothing more. */
    default long maxInFlight() {
      return Long.MAX_VALUE;
    }

    /** What the source reports as ready and not yet emitted, or -1 (see SourceBacklog). */
    default long sourceBacklog() {
      return -1;
    }

    /**
     * Messages asked of the source and not yet delivered by it; {@code Long.MAX_VALUE} when not
     * known. Zero means the source may send nothing until the pipeline asks again.
     */
    default long unmetDemand() {
      return Long.MAX_VALUE;
    }

    /** The workers taking messages now (an adaptive pool's size changes). */
    int workers();

    /** Times an adaptive pool changed size. */
    default long poolResizes() {
      return 0;
    }
  }

  private static final int WINDOW = 20;
  static final Duration SAMPLE_EVERY = Duration.ofMillis(250);

  final LongAdder failed = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder nacked = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  private final LongAdder serviceNanos = new LongAdder();
  private final LongAdder attempts = new LongAdder();
  private final CapacityModel capacity;
  private final LatencyHistogram service;
  private final LatencyHistogram endToEnd;
  private final Ticker ticker;
  private final Gauges gauges;
  private final long startNanos;

  // the sample ring: written only by the timer thread, read under this object's monitor
  private final long[] sampleTime = new long[WINDOW];
  private final long[] sampleReceived = new long[WINDOW];
  private final long[] sampleSettled = new long[WINDOW];
  private final long[] sampleService = new long[WINDOW];
  private final long[] sampleAttempts = new long[WINDOW];
  private int samples;

  /** @param maxWorkers the most workers the pool may have (sizes the histograms' stripes) */
  StatsRecorder(Ticker ticker, Gauges gauges, int maxWorkers) {
    this.ticker = ticker;
    this.gauges = gauges;
    this.capacity = new CapacityModel();
    this.service = new LatencyHistogram(maxWorkers + 2);
    this.endToEnd = new LatencyHistogram(maxWorkers + 2);
    this.startNanos = ticker.nanoTime();
    sample();
  }

  long now() {
    return ticker.nanoTime();
  }

  /**
   * An attempt ended after {@code nanos}. One its processor said was not work (an external
   * worker's start-up, see {@code ServiceTime}) is left out of the service time.
   */
  void onAttempt(long nanos, boolean work) {
    if (work) {
      serviceNanos.add(nanos);
      attempts.increment();
      service.record(nanos);
    }
  }

  /** Attempts counted in the service time since start. */
  long attemptsTotal() {
    return attempts.sum();
  }

  /** Their summed time, in nanoseconds. */
  long serviceNanosTotal() {
    return serviceNanos.sum();
  }

  /** The capacity model's latest verdict. */
  Capacity capacity() {
    return capacity.current();
  }

  void onSettled(long receivedNanos, long nowNanos) {
    endToEnd.record(nowNanos - receivedNanos);
  }

  /** Records one sample for the rate window; timer thread only. */
  synchronized void sample() {
    int i = samples % WINDOW;
    sampleTime[i] = ticker.nanoTime();
    long received = gauges.received();
    long settled = gauges.settled();
    sampleReceived[i] = received;
    sampleSettled[i] = settled;
    sampleService[i] = serviceNanos.sum();
    sampleAttempts[i] = attempts.sum();
    int busy = gauges.busyWorkers();
    int workers = gauges.workers();
    samples++;
    // saturated: every worker busy and the source may not hand over anything more (no in-flight
    // room, or all the demand signalled so far already delivered: a pull source then waits
    // for the next batch of demand); while that lasts the pipeline takes messages only as fast
    // as it finishes them, so its intake is a lower bound on what is offered
    boolean saturated = busy >= workers
        && (gauges.inFlight() >= gauges.maxInFlight() || gauges.unmetDemand() == 0);
    capacity.add(new CapacityModel.Sample(sampleTime[i], received, sampleAttempts[i],
        sampleService[i], Math.min(busy, workers), workers, saturated, gauges.sourceBacklog()));
  }

  synchronized Stats snapshot() {
    long now = ticker.nanoTime();
    long received = gauges.received();
    long settled = gauges.settled();
    int busy = gauges.busyWorkers();
    int workers = gauges.workers();
    long serviceTotal = serviceNanos.sum();
    long attemptTotal = attempts.sum();
    long inFlight = Math.max(0, received - settled);
    long queued = Math.max(0, inFlight - busy);

    int oldest = samples <= WINDOW ? 0 : samples % WINDOW;
    double seconds = (now - sampleTime[oldest]) / 1e9;
    double arrivalRate = 0;
    double completionRate = 0;
    double meanServiceNanos = 0;
    if (seconds > 0) {
      arrivalRate = (received - sampleReceived[oldest]) / seconds;
      completionRate = (settled - sampleSettled[oldest]) / seconds;
    }
    long windowAttempts = attemptTotal - sampleAttempts[oldest];
    if (windowAttempts > 0) {
      meanServiceNanos = (double) (serviceTotal - sampleService[oldest]) / windowAttempts;
    } else if (attemptTotal > 0) {
      meanServiceNanos = (double) serviceTotal / attemptTotal;
    }
    Capacity verdict = capacity.current();
    long dead = deadLettered.sum();
    long nack = nacked.sum();
    return new Stats(Duration.ofNanos(now - startNanos),
        received, settled - dead - nack, failed.sum(), retried.sum(), dead, nack,
        timedOut.sum(), inFlight, queued, busy, workers,
        arrivalRate, completionRate,
        Duration.ofNanos((long) meanServiceNanos), Duration.ofNanos(serviceTotal),
        Duration.ofNanos(service.percentile(0.5)), Duration.ofNanos(service.percentile(0.99)),
        Duration.ofNanos(endToEnd.percentile(0.5)), Duration.ofNanos(endToEnd.percentile(0.99)),
        verdict.utilisation(), verdict.workersNeeded(), verdict.fallingBehind(), verdict, 0,
        gauges.poolResizes());
  }
}
