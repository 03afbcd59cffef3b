package dev.sluice.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4 and of OpenMetrics 1.0 text, for tests:
 * every line must be a well-formed {@code # HELP}, {@code # TYPE}, sample or (OpenMetrics)
 * {@code # EOF}; every sample must belong to the family its last {@code # TYPE} declared, with
 * the suffixes that type allows; a histogram's buckets must be cumulative, end at {@code +Inf}
 * and agree with its {@code _count}. (The Prometheus Java client has writers but no parser.)
 */
final class Scrape {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE = Pattern.compile(
      "(" + NAME + ")(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)})?"
          + " (-?(?:[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\\+Inf|-Inf|NaN))( [0-9.]+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One sample: its name, labels and value. */
  record Sample(String name, Map<String, String> labels, double value) {
  }

  final Map<String, String> types = new LinkedHashMap<>();
  final List<Sample> samples = new ArrayList<>();

  static Scrape parse(String text, boolean openMetrics) {
    Scrape scrape = new Scrape();
    assertThat(text).endsWith("\n");
    String[] lines = text.split("\n");
    String family = null;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (openMetrics && line.equals("# EOF")) {
        assertThat(i).as("# EOF is the last line").isEqualTo(lines.length - 1);
        continue;
      }
      if (line.startsWith("# HELP ")) {
        assertThat(line).matches("# HELP " + NAME + " .+");
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        assertThat(parts).hasSize(4);
        assertThat(parts[3]).isIn("counter", "gauge", "histogram", "summary", "untyped",
            "unknown", "info", "stateset", "gaugehistogram");
        assertThat(scrape.types.put(parts[2], parts[3])).as("TYPE of %s twice", parts[2])
            .isNull();
        family = parts[2];
        continue;
      }
      if (openMetrics && line.startsWith("# UNIT ")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a well-formed sample: '%s'", line).isTrue();
      assertThat(family).as("a TYPE before " + line).isNotNull();
      String name = m.group(1);
      String suffix = name.startsWith(family) ? name.substring(family.length()) : null;
      assertThat(suffix).as("%s belongs to family %s", name, family).isNotNull();
      switch (scrape.types.get(family)) {
        case "counter" -> assertThat(suffix).isIn(openMetrics ? new String[] {"_total", "_created"}
            : new String[] {"", "_created"});
        case "gauge" -> assertThat(suffix).isEmpty();
        case "histogram" -> assertThat(suffix).isIn("_bucket", "_count", "_sum", "_created");
        default -> { }
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      String v = m.group(4);
      double value = v.equals("+Inf") ? Double.POSITIVE_INFINITY
          : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v);
      scrape.samples.add(new Sample(name, labels, value));
    }
    if (openMetrics) {
      assertThat(text).endsWith("# EOF\n");
    }
    scrape.checkHistograms();
    return scrape;
  }

  private void checkHistograms() {
    types.forEach((family, type) -> {
      if (!type.equals("histogram")) {
        return;
      }
      List<Sample> buckets = samples.stream().filter(s -> s.name().equals(family + "_bucket"))
          .toList();
      assertThat(buckets).as(family + " buckets").isNotEmpty();
      double previousBound = Double.NEGATIVE_INFINITY;
      double previousCount = 0;
      for (Sample b : buckets) {
        double bound = Double.parseDouble(b.labels().get("le").replace("+Inf", "Infinity"));
        assertThat(bound).as(family + " bounds rise").isGreaterThan(previousBound);
        assertThat(b.value()).as(family + " buckets are cumulative")
            .isGreaterThanOrEqualTo(previousCount);
        previousBound = bound;
        previousCount = b.value();
      }
      assertThat(previousBound).as(family + " ends at +Inf").isInfinite();
      assertThat(value(family + "_count")).isEqualTo(previousCount);
    });
  }

  /** The value of the only sample named {@code name}. */
  double value(String name) {
    List<Sample> found = samples.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(found).as(name).hasSize(1);
    return found.get(0).value();
  }

  /** The value of the only sample named {@code name} with label {@code label="value"}. */
  double value(String name, String label, String value) {
    List<Sample> found = samples.stream().filter(s -> s.name().equals(name)
        && value.equals(s.labels().get(label))).toList();
    assertThat(found).as("%s{%s=\"%s\"}", name, label, value).hasSize(1);
    return found.get(0).value();
  }

  /** Every sample's name to its value, for names that occur once. */
  Map<String, Double> values() {
    Map<String, Double> out = new HashMap<>();
    for (Sample s : samples) {
      out.merge(s.name(), s.value(), (a, b) -> Double.NaN);
    }
    return out;
  }
}
