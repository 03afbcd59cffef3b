package dev.sluice;

/**
 * How many workers a load needs: the M/G/c queue's arithmetic behind {@code sluice plan}.
 *
 * <p>Arrivals at λ per second, service S seconds on average, c workers. The offered load is
 * a = λ·S (workers kept busy) and the utilisation ρ = a / c; with c ≤ a the queue grows without
 * bound. For c &gt; a the probability that a message waits is Erlang's C formula (exact for
 * Poisson arrivals and exponential service, M/M/c), and the waits scale with the variability
 * of arrivals and service by the Allen–Cunneen approximation: mean wait = C / (c/S − λ) ×
 * (ca² + cs²) / 2, where ca² and cs² are the squared coefficients of variation (1 for Poisson
 * arrivals or exponential service, 0 for a fixed interval or a fixed time). The wait's tail is
 * taken as exponential with that mean among the messages that wait, so its q-quantile is
 * ln(C / (1 − q)) × (ca² + cs²) / 2 / (c/S − λ), and 0 when fewer than 1 − q wait at all.
 * With no variability at all (a fixed interval and a fixed time) nobody waits while c &gt; a.
 * These are approximations, good to a few tens of percent; they are for sizing, not promises.
 *
 * <p>Stateless and thread-safe.
 */
public final class Sizing {

  private Sizing() {}

  /**
   * One candidate pool size.
   *
   * @param workers              c
   * @param utilisation          ρ = a / c (above 1: the queue grows without bound)
   * @param probabilityOfWaiting the share of messages that wait for a worker (1 when unstable)
   * @param meanWait             mean seconds a message waits for a worker (infinite when unstable)
   * @param p99Wait              99th percentile of that wait, seconds (infinite when unstable)
   */
  public record Row(int workers, double utilisation, double probabilityOfWaiting,
      double meanWait, double p99Wait) {

    /** Whether this many workers keep up at all (ρ &lt; 1). */
    public boolean stable() {
      return utilisation < 1;
    }
  }

  /**
   * Erlang's C formula: the probability that an arrival waits, with {@code workers} servers and
   * an offered load of {@code load} = λ·S; 1 when {@code load >= workers}.
   */
  public static double erlangC(int workers, double load) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1 but was " + workers);
    }
    if (load <= 0) {
      return 0;
    }
    if (load >= workers) {
      return 1;
    }
    double blocking = 1;                        // Erlang B by its stable recursion
    for (int k = 1; k <= workers; k++) {
      blocking = load * blocking / (k + load * blocking);
    }
    return workers * blocking / (workers - load * (1 - blocking));
  }

  /**
   * The figures for {@code workers} workers at {@code rate} arrivals a second of
   * {@code service} seconds each, with squared coefficients of variation {@code ca2} (arrivals)
   * and {@code cs2} (service).
   */
  public static Row row(int workers, double rate, double service, double ca2, double cs2) {
    double load = rate * service;
    double utilisation = load / workers;
    if (load >= workers) {
      return new Row(workers, utilisation, 1, Double.POSITIVE_INFINITY,
          Double.POSITIVE_INFINITY);
    }
    double variability = (ca2 + cs2) / 2;
    double waiting = variability == 0 ? 0 : erlangC(workers, load);   // D/D/c: nobody waits
    double drain = workers / service - rate;             // how fast a queue empties, per second
    double mean = waiting / drain * variability;
    double p99 = waiting <= 0.01 || variability == 0 ? 0
        : Math.log(waiting / 0.01) * variability / drain;
    return new Row(workers, utilisation, waiting, mean, p99);
  }

  /** The fewest workers that keep the utilisation at or under {@code target} (0 &lt; target ≤ 1). */
  public static int workersForUtilisation(double rate, double service, double target) {
    double load = rate * service;
    return (int) Math.max(1, Math.ceil(load / target - 1e-9));
  }

  /** The fewest workers whose p99 wait is at most {@code p99Wait} seconds (at most 100,000). */
  public static int workersForP99Wait(double rate, double service, double ca2, double cs2,
      double p99Wait) {
    int workers = Math.max(1, (int) Math.floor(rate * service) + 1);
    while (workers < 100_000 && row(workers, rate, service, ca2, cs2).p99Wait() > p99Wait) {
      workers++;
    }
    return workers;
  }

  /**
   * The squared coefficient of variation of a service time with this mean and 99th
   * percentile, taking it as log-normal (the usual shape of measured processing times): 0 when
   * the p99 equals the mean.
   */
  public static double serviceVariability(double mean, double p99) {
    if (!(p99 >= mean) || mean <= 0) {
      throw new IllegalArgumentException("the p99 must be at least the mean, and the mean > 0");
    }
    double z = 2.3263478740408408;               // the standard normal's 99th percentile
    // mean = exp(mu + s²/2), p99 = exp(mu + z s)  =>  s² - 2 z s + 2 ln(p99 / mean) = 0
    double discriminant = z * z - 2 * Math.log(p99 / mean);
    double sigma = discriminant <= 0 ? z : z - Math.sqrt(discriminant);
    return Math.expm1(sigma * sigma);
  }
}
