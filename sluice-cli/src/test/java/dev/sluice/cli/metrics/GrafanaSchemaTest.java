package dev.sluice.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.cli.json.Json;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code docs/grafana/sluice-dashboard.json} is a dashboard as Grafana's own schema describes
 * one, checked two ways (there is no Grafana server to import it into here):
 *
 * <ol>
 *   <li>against Grafana's generated TypeScript types for the dashboard v1 kind
 *       ({@code @grafana/schema} 13.2.3, the types Grafana's frontend builds against), by
 *       {@code docs/grafana/check/check-dashboard.mjs} under {@code tsc --strict}: every
 *       required field, every type, and no field the schema does not know. It needs Node.js and
 *       {@code npm ci --prefix docs/grafana/check}; without them it is skipped, except in CI
 *       ({@code CI=true}), where {@code .ci/run} installs them and their absence fails it. A
 *       broken copy of the dashboard must fail the same check, so it is known to bite;</li>
 *   <li>by hand, on every machine, against the fields that schema requires and allows (copied
 *       below from {@code raw/dashboard/x/types.gen.d.ts} of {@code @grafana/schema} 13.2.3), plus
 *       the import envelope Grafana's "Import dashboard" reads ({@code __inputs},
 *       {@code __requires}: every data source a query names is a declared input), the
 *       40-character limit Grafana's API puts on a uid, and the 24-column grid (no panel
 *       outside it, none overlapping).</li>
 * </ol>
 */
@Timeout(180)
@Tag("broker")
class GrafanaSchemaTest {

  private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "sluice-dashboard.json");
  private static final Path CHECK = Path.of("..", "docs", "grafana", "check");

  /** {@code Dashboard}'s fields, and the export envelope's. */
  private static final Set<String> DASHBOARD_FIELDS = Set.of("annotations", "description",
      "editable", "fiscalYearStartMonth", "gnetId", "graphTooltip", "id", "links", "liveNow",
      "panels", "preload", "refresh", "revision", "schemaVersion", "snapshot", "tags",
      "templating", "time", "timepicker", "timezone", "title", "uid", "version", "weekStart",
      "__inputs", "__requires");
  /** {@code Panel}'s fields. */
  private static final Set<String> PANEL_FIELDS = Set.of("autoMigrateFrom", "cacheTimeout",
      "datasource", "description", "fieldConfig", "gridPos", "hideTimeOverride", "id",
      "interval", "libraryPanel", "links", "maxDataPoints", "maxPerRow", "options",
      "pluginVersion", "queryCachingTTL", "repeat", "repeatDirection", "targets", "timeCompare",
      "timeFrom", "timeShift", "title", "transformations", "transparent", "type");
  /** {@code VariableModel}'s fields. */
  private static final Set<String> VARIABLE_FIELDS = Set.of("allValue", "allowCustomValue",
      "current", "datasource", "description", "enableGroupBy", "hide", "includeAll", "label",
      "multi", "name", "options", "query", "refresh", "regex", "regexApplyTo", "skipUrlSync",
      "sort", "staticOptions", "staticOptionsOrder", "type", "valuesFormat");
  /** {@code VariableType}. */
  private static final Set<String> VARIABLE_TYPES = Set.of("query", "adhoc", "groupby",
      "constant", "datasource", "interval", "textbox", "custom", "system", "snapshot", "switch");
  /** {@code FieldConfig}'s fields. */
  private static final Set<String> FIELD_CONFIG_FIELDS = Set.of("actions", "color", "custom",
      "decimals", "description", "displayName", "displayNameFromDS", "filterable", "links",
      "mappings", "max", "min", "noValue", "path", "thresholds", "unit", "writeable");
  /** {@code MappingType}. */
  private static final Set<String> MAPPING_TYPES = Set.of("value", "range", "regex", "special");

  private final List<String> problems = new ArrayList<>();

  private void check(boolean ok, String problem, Object... args) {
    if (!ok) {
      problems.add(String.format(problem, args));
    }
  }

  private static boolean isInteger(Object o) {
    return o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue());
  }

  @Test
  void theDashboardHasTheFieldsGrafanasDashboardSchemaRequiresAndNoOthers() throws Exception {
    assertThat(problemsIn(Files.readString(DASHBOARD)))
        .as("the dashboard against Grafana's dashboard schema").isEmpty();
  }

  @Test
  void theHandCheckFindsWhatTheSchemaForbids() throws Exception {
    String good = Files.readString(DASHBOARD);
    assertThat(problemsIn(good.replaceFirst(",\\s*\"h\": \\d+", "")))
        .anyMatch(p -> p.contains("gridPos needs integer h, w, x, y"));
    assertThat(problemsIn(good.replaceFirst("\"schemaVersion\": \\d+",
        "\"schemaVersion\": \"39\"")))
        .containsExactly("schemaVersion must be an integer");
    assertThat(problemsIn(good.replaceFirst("\"type\": \"timeseries\"",
        "\"type\": \"timeseries\", \"legend\": true")))
        .anyMatch(p -> p.contains("unknown panel fields"));
    assertThat(problemsIn(good.replaceFirst("\"type\": \"value\"",
        "\"type\": \"values\"")))
        .anyMatch(p -> p.contains("a value mapping"));
  }

  /** What the dashboard {@code json} breaks of the schema's rules, one line each. */
  @SuppressWarnings("unchecked")
  private List<String> problemsIn(String json) {
    problems.clear();
    Map<String, Object> d = (Map<String, Object>) Json.parse(json);
    check(DASHBOARD_FIELDS.containsAll(d.keySet()), "unknown dashboard fields: %s", d.keySet());
    check(isInteger(d.get("schemaVersion")), "schemaVersion must be an integer");
    check(d.get("title") instanceof String, "title must be a string");
    check(d.get("uid") instanceof String u && u.length() <= 40, "uid: a string, at most 40");
    Map<String, Object> time = (Map<String, Object>) d.get("time");
    check(time != null && time.get("from") instanceof String && time.get("to") instanceof String,
        "time needs from and to");
    check(!d.containsKey("graphTooltip") || List.of(0L, 1L, 2L).contains(d.get("graphTooltip")),
        "graphTooltip is 0, 1 or 2");

    List<Map<String, Object>> inputs = (List<Map<String, Object>>) d.get("__inputs");
    Set<String> declared = new HashSet<>();
    for (Map<String, Object> input : inputs) {
      check("datasource".equals(input.get("type")) && input.get("name") instanceof String
          && input.get("pluginId") instanceof String, "an __inputs entry: %s", input);
      declared.add("${" + input.get("name") + "}");
    }
    for (Map<String, Object> v : (List<Map<String, Object>>)
        ((Map<String, Object>) d.get("templating")).get("list")) {
      check(VARIABLE_FIELDS.containsAll(v.keySet()), "unknown variable fields: %s", v.keySet());
      check(v.get("name") instanceof String, "a variable needs a name");
      check(VARIABLE_TYPES.contains(v.get("type")), "variable type %s", v.get("type"));
      datasource(v.get("datasource"), declared, "variable " + v.get("name"));
    }

    Set<Object> ids = new HashSet<>();
    boolean[][] grid = new boolean[200][24];
    for (Map<String, Object> p : (List<Map<String, Object>>) d.get("panels")) {
      Object title = p.get("title");
      check(PANEL_FIELDS.containsAll(p.keySet()), "%s: unknown panel fields %s", title,
          p.keySet());
      check(p.get("type") instanceof String, "%s: a panel needs a type", title);
      check(isInteger(p.get("id")) && ids.add(p.get("id")), "%s: a unique integer id", title);
      Map<String, Object> pos = (Map<String, Object>) p.get("gridPos");
      boolean placed = pos != null && pos.keySet().containsAll(List.of("h", "w", "x", "y"))
          && pos.values().stream().allMatch(GrafanaSchemaTest::isInteger);
      check(placed, "%s: gridPos needs integer h, w, x, y", title);
      if (placed) {
        int x = ((Number) pos.get("x")).intValue();
        int y = ((Number) pos.get("y")).intValue();
        int w = ((Number) pos.get("w")).intValue();
        int h = ((Number) pos.get("h")).intValue();
        check(w >= 1 && h >= 1 && x >= 0 && y >= 0 && x + w <= 24 && y + h <= grid.length,
            "%s: inside the 24-column grid", title);
        for (int r = y; r < Math.min(y + h, grid.length); r++) {
          for (int c = x; c < Math.min(x + w, 24); c++) {
            check(!grid[r][c], "%s overlaps another panel at %d,%d", title, c, r);
            grid[r][c] = true;
          }
        }
      }
      datasource(p.get("datasource"), declared, "panel " + title);
      Set<Object> refIds = new HashSet<>();
      for (Object t : (List<Object>) p.get("targets")) {
        check(t instanceof Map, "%s: a target is an object", title);
        if (t instanceof Map<?, ?> target) {
          check(target.get("refId") instanceof String && refIds.add(target.get("refId")),
              "%s: targets need unique refIds", title);
          datasource(target.get("datasource"), declared, "a target of " + title);
        }
      }
      Map<String, Object> fieldConfig = (Map<String, Object>) p.get("fieldConfig");
      check(fieldConfig != null && fieldConfig.get("defaults") instanceof Map
          && fieldConfig.get("overrides") instanceof List,
          "%s: fieldConfig needs defaults and overrides", title);
      Map<String, Object> defaults = (Map<String, Object>) fieldConfig.get("defaults");
      check(FIELD_CONFIG_FIELDS.containsAll(defaults.keySet()), "%s: unknown field config %s",
          title, defaults.keySet());
      for (Object m : (List<Object>) defaults.getOrDefault("mappings", List.of())) {
        check(m instanceof Map<?, ?> map && MAPPING_TYPES.contains(map.get("type"))
            && map.get("options") instanceof Map, "%s: a value mapping %s", title, m);
      }
      check(p.get("options") == null || p.get("options") instanceof Map,
          "%s: options is an object", title);
    }
    return List.copyOf(problems);
  }

  /** A {@code DataSourceRef}: type and uid only, the uid one of the declared inputs. */
  private void datasource(Object ref, Set<String> declared, String where) {
    if (ref == null) {
      return;
    }
    check(ref instanceof Map<?, ?> map && Set.of("type", "uid").containsAll(map.keySet())
        && declared.contains(map.get("uid")), "%s: datasource %s is not a declared input",
        where, ref);
  }

  @Test
  void theDashboardTypeChecksAgainstGrafanasOwnGeneratedTypes() throws Exception {
    Path node = executable("node");
    boolean installed = Files.isDirectory(CHECK.resolve("node_modules").resolve("typescript"))
        && Files.isDirectory(CHECK.resolve("node_modules").resolve("@grafana"));
    if (node == null || !installed) {
      String why = (node == null ? "Node.js is not installed" : "the checker's packages are not"
          + " installed") + ": npm ci --prefix docs/grafana/check";
      if ("true".equals(System.getenv("CI"))) {
        fail(why + "; in CI .ci/run installs them");
      }
      Assumptions.abort(why);
    }
    Path work = Path.of("target", "grafana-schema");
    Run good = run(node, DASHBOARD, work.resolve("dashboard"));
    assertThat(good.exit).as(good.output).isZero();
    assertThat(good.output).contains("conforms to @grafana/schema's Dashboard");

    // The check bites: the same dashboard with one panel missing its height fails it.
    String broken = Files.readString(DASHBOARD).replaceFirst(",\\s*\"h\": \\d+", "");
    assertThat(broken).isNotEqualTo(Files.readString(DASHBOARD));
    Path copy = Files.createDirectories(work).resolve("broken-dashboard.json");
    Files.writeString(copy, broken);
    Run bad = run(node, copy, work.resolve("broken"));
    assertThat(bad.exit).isEqualTo(1);
    assertThat(bad.output).contains("'h' is missing").contains("GridPos")
        .contains("does not conform");
  }

  private record Run(int exit, String output) {
  }

  private static Run run(Path node, Path dashboard, Path work) throws Exception {
    Process p = new ProcessBuilder(node.toString(),
        CHECK.resolve("check-dashboard.mjs").toAbsolutePath().toString(),
        dashboard.toAbsolutePath().toString(), work.toAbsolutePath().toString())
        .redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(150, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("the dashboard check did not finish in 150 s");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** {@code name} on the PATH, or null. */
  private static Path executable(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
