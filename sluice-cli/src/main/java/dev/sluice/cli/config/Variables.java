package dev.sluice.cli.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in a pipeline file's values, from the
 * environment; {@code $${} is a literal {@code ${}. Stateless and thread-safe.
 */
final class Variables {

  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}|\\$\\{");

  private Variables() {
  }

  /** True if {@code text} refers to a variable. */
  static boolean refersToAny(String text) {
    return text.replace("$${", "").contains("${");
  }

  /**
   * {@code text} with every reference replaced by its variable's value.
   *
   * @throws IllegalArgumentException naming an unset variable, or a malformed reference
   */
  static String expand(String text, Map<String, String> env) {
    Matcher m = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$${")) {
        replacement = "${";
      } else if (m.group(1) == null) {
        throw new IllegalArgumentException("'" + text + "' has a '${' that is not ${NAME} or "
            + "${NAME:-default}; write $${ for a literal ${");
      } else {
        String value = env.get(m.group(1));
        if (value == null) {
          if (m.group(2) == null) {
            throw new IllegalArgumentException("environment variable " + m.group(1)
                + " is not set; set it, or write ${" + m.group(1) + ":-default}");
          }
          value = m.group(2);
        }
        replacement = value;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
