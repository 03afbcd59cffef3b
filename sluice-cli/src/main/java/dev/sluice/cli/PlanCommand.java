package dev.sluice.cli;

import dev.sluice.Sizing;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sluice plan}: how many workers a load needs, before running it. The arithmetic is
 * {@link Sizing}'s (M/G/c: Erlang C with the Allen–Cunneen correction); this class reads the
 * options and prints the table. Runs on the command's thread only.
 */
@Command(name = "plan",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCommand.Version.class,
    sortOptions = false,
    description = {
        "Sizes a worker pool for a load: given the arrival rate and the time one message "
            + "takes, prints the workers needed to keep up, to keep utilisation at or under a "
            + "target, and to keep the wait for a worker under a bound, with the expected waits.",
        "Example, the founding article's load: sluice plan --rate 1/s --service 5s"},
    footer = {"",
        "Rates: 10, 10/s, 600/min, 36000/h. Durations: 250us, 500ms, 1.5s, 5s, 1m.",
        "Waits are approximations (M/G/c, Allen-Cunneen): good for sizing, not promises.",
        "Exit codes: 0 done, 2 bad command line."})
final class PlanCommand implements Callable<Integer> {

  @ParentCommand
  private SluiceCommand parent;

  @Spec
  private CommandSpec spec;

  @Option(names = "--rate", required = true, paramLabel = "RATE",
      description = "Arrivals per second (or per minute or hour: 600/min).")
  private String rate;

  @Option(names = "--service", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Mean time one message takes (one attempt).")
  private Duration service;

  @Option(names = "--service-p99", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "99th percentile of that time; without it the time is taken as "
          + "exponentially distributed (the cautious textbook case).")
  private Duration serviceP99;

  @Option(names = "--service-file", paramLabel = "FILE",
      description = "Measured times, one per line (a duration, or seconds as a number); "
          + "gives the mean and the variability instead of --service.")
  private Path serviceFile;

  @Option(names = "--arrivals", paramLabel = "poisson|regular", defaultValue = "poisson",
      description = "How arrivals are spread: poisson (independent, the usual case) or "
          + "regular (a fixed interval, like a timer). Default: ${DEFAULT-VALUE}.")
  private String arrivals;

  @Option(names = "--utilisation", paramLabel = "FRACTION", defaultValue = "0.8",
      description = "The utilisation to stay at or under (0 < F <= 1). Default: ${DEFAULT-VALUE}.")
  private double utilisation;

  @Option(names = "--p99-wait", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Also size for a 99th-percentile wait for a worker at most this long.")
  private Duration p99Wait;

  @Override
  public Integer call() {
    double perSecond = parseRate(rate);
    double ca2 = arrivalVariability();
    if (!(utilisation > 0 && utilisation <= 1)) {
      throw usage("--utilisation must be above 0 and at most 1 but was " + utilisation);
    }
    double mean;
    double cs2;
    String serviceShape;
    if (serviceFile != null) {
      if (service != null || serviceP99 != null) {
        throw usage("give either --service-file or --service (with --service-p99), not both");
      }
      double[] times = readTimes(serviceFile);
      mean = mean(times);
      cs2 = variance(times, mean) / (mean * mean);
      serviceShape = String.format(Locale.ROOT, "%d measured times, cv² %.2f", times.length,
          cs2);
    } else {
      if (service == null) {
        throw usage("give the time one message takes with --service DURATION (or "
            + "--service-file FILE)");
      }
      mean = seconds(service);
      if (!(mean > 0)) {
        throw usage("--service must be above 0");
      }
      if (serviceP99 != null) {
        if (seconds(serviceP99) < mean) {
          throw usage("--service-p99 must be at least --service");
        }
        cs2 = Sizing.serviceVariability(mean, seconds(serviceP99));
        serviceShape = String.format(Locale.ROOT, "log-normal with p99 %s, cv² %.2f",
            DemoReport.human(seconds(serviceP99)), cs2);
      } else {
        cs2 = 1;
        serviceShape = "exponential (only its mean was given)";
      }
    }
    print(parent.out(), perSecond, mean, ca2, cs2, serviceShape);
    return SluiceCommand.OK;
  }

  private void print(PrintStream out, double perSecond, double mean, double ca2, double cs2,
      String serviceShape) {
    print(out, perSecond, mean, ca2, cs2, "arrivals " + arrivals + "; service time "
        + serviceShape, utilisation, p99Wait == null ? null : seconds(p99Wait),
        p99Wait == null ? null : DurationParser.format(p99Wait));
  }

  /**
   * Prints a plan: the load, the workers needed to keep up and to stay at or under
   * {@code utilisation}, and the waits for each pool size. Also used by {@code sluice run
   * --plan-from-live} for the load it measured.
   *
   * @param shapes    one line saying how arrivals and service times were modelled
   * @param p99Wait   seconds the p99 wait may be, or null
   * @param p99Words  {@code p99Wait} as the user wrote it, or null
   */
  static void print(PrintStream out, double perSecond, double mean, double ca2, double cs2,
      String shapes, double utilisation, Double p99Wait, String p99Words) {
    double load = perSecond * mean;
    int keepUp = (int) Math.max(1, Math.ceil(load - 1e-9));    // at exactly 100% busy
    int forTarget = Sizing.workersForUtilisation(perSecond, mean, utilisation);
    out.printf(Locale.ROOT, "load: %s events/s × %s = %.2f workers kept busy%n",
        DemoReport.rate(perSecond), DemoReport.human(mean), load);
    out.println(shapes);
    out.printf(Locale.ROOT, "workers needed: %d to keep up (%.0f%% busy), %d to stay at or "
        + "under %.0f%%%n", keepUp, 100 * load / keepUp, forTarget, utilisation * 100);
    int last = forTarget + 1;
    if (p99Wait != null) {
      int forWait = Sizing.workersForP99Wait(perSecond, mean, ca2, cs2, p99Wait);
      out.printf(Locale.ROOT, "workers needed for a p99 wait of at most %s: %d%n", p99Words,
          forWait);
      last = Math.max(last, forWait);
    }
    out.println();
    out.println("workers  utilisation  P(wait)  mean wait   p99 wait");
    for (int c = keepUp; c <= last; c++) {
      Sizing.Row row = Sizing.row(c, perSecond, mean, ca2, cs2);
      out.printf(Locale.ROOT, "%7d  %10.0f%%  %7s  %9s  %9s%n", c, 100 * row.utilisation(),
          row.stable() ? String.format(Locale.ROOT, "%.2f", row.probabilityOfWaiting()) : "1",
          waitText(row.meanWait(), row.stable()), waitText(row.p99Wait(), row.stable()));
    }
    if (!Sizing.row(keepUp, perSecond, mean, ca2, cs2).stable()) {
      out.printf(Locale.ROOT, "%nWith %d workers the load is exactly their capacity: no "
          + "headroom, and any variation builds a queue that never drains.%n", keepUp);
    }
  }

  private static String waitText(double seconds, boolean stable) {
    if (!stable) {
      return "unbounded";
    }
    return seconds == 0 ? "0" : DemoReport.human(seconds);
  }

  private double arrivalVariability() {
    switch (arrivals.toLowerCase(Locale.ROOT)) {
      case "poisson":
        return 1;
      case "regular":
        return 0;
      default:
        throw usage("--arrivals must be poisson or regular but was '" + arrivals + "'");
    }
  }

  private double parseRate(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    double per = 1;
    int slash = t.indexOf('/');
    if (slash >= 0) {
      String unit = t.substring(slash + 1);
      switch (unit) {
        case "s": case "sec": case "second": per = 1; break;
        case "min": case "m": case "minute": per = 60; break;
        case "h": case "hour": per = 3600; break;
        default:
          throw usage("--rate's unit must be /s, /min or /h but was '/" + unit + "'");
      }
      t = t.substring(0, slash);
    }
    try {
      double value = Double.parseDouble(t) / per;
      if (!(value > 0) || Double.isInfinite(value)) {
        throw usage("--rate must be above 0 but was '" + text + "'");
      }
      return value;
    } catch (NumberFormatException e) {
      throw usage("--rate must be a number of arrivals per second, like 10 or 10/s or "
          + "600/min, but was '" + text + "'");
    }
  }

  private double[] readTimes(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw usage("cannot read --service-file " + file + ": " + e.getMessage());
    }
    double[] times = lines.stream().map(String::strip).filter(l -> !l.isEmpty())
        .mapToDouble(l -> parseTime(file, l)).toArray();
    if (times.length < 2) {
      throw usage("--service-file " + file + " needs at least two times, one per line");
    }
    return times;
  }

  private double parseTime(Path file, String line) {
    try {
      return Double.parseDouble(line);
    } catch (NumberFormatException notANumber) {
      try {
        return seconds(DurationParser.parse(line));
      } catch (IllegalArgumentException e) {
        throw usage("--service-file " + file + ": '" + line + "' is neither seconds nor a "
            + "duration like 250ms");
      }
    }
  }

  private static double mean(double[] xs) {
    double sum = 0;
    for (double x : xs) {
      sum += x;
    }
    return sum / xs.length;
  }

  private static double variance(double[] xs, double mean) {
    double sum = 0;
    for (double x : xs) {
      sum += (x - mean) * (x - mean);
    }
    return sum / (xs.length - 1);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
