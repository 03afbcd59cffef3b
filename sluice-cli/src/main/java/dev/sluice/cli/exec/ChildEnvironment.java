package dev.sluice.cli.exec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment an {@code --exec} child gets: a minimal one, not the runner's (which may
 * hold secrets such as {@code SLUICE_MQTT_PASSWORD}). It keeps {@link #INHERITED} from the
 * runner, sets {@code PYTHONUNBUFFERED=1} so that Python children answer each line at once,
 * then applies each {@code --exec-env NAME=VALUE} in order. Each child also gets
 * {@code SLUICE_WORKER}, the name of the worker that owns it.
 *
 * <p>Stateless and thread-safe.
 */
public final class ChildEnvironment {

  /** The variables taken from the runner's environment when set there. */
  public static final List<String> INHERITED = List.of("PATH", "HOME", "USER", "LOGNAME",
      "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");

  private ChildEnvironment() {
  }

  /**
   * The children's environment.
   *
   * @throws IllegalArgumentException if an assignment is not {@code NAME=VALUE}
   */
  public static Map<String, String> of(Map<String, String> runner, List<String> assignments) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : INHERITED) {
      String value = runner.get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    env.put("PYTHONUNBUFFERED", "1");
    for (String assignment : assignments) {
      int eq = assignment.indexOf('=');
      if (eq <= 0 || !assignment.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("--exec-env '" + assignment
            + "' must be NAME=VALUE with NAME made of letters, digits and _");
      }
      env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
    }
    return env;
  }
}
