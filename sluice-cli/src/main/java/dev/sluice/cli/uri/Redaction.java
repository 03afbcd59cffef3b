package dev.sluice.cli.uri;

import java.util.regex.Pattern;

/**
 * Hides secrets in URIs before they reach a log, the status line or an error message: the
 * password in {@code scheme://user:password@host} and the values of query parameters named
 * like secrets ({@code password}, {@code token}, {@code secret}, {@code key}).
 *
 * <p>Stateless and thread-safe.
 */
public final class Redaction {

  private static final Pattern USER_INFO_PASSWORD = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://[^/@:?#]*):[^/@?#]*@");
  private static final Pattern SECRET_PARAMETER = Pattern.compile(
      "([?&](?:[a-z-]*password|[a-z-]*token|[a-z-]*secret|api-key|access-key)=)[^&#]*",
      Pattern.CASE_INSENSITIVE);

  private Redaction() {
  }

  /** {@code uri} with its secrets replaced by {@code ***}. */
  public static String uri(String uri) {
    if (uri == null) {
      return null;
    }
    String s = USER_INFO_PASSWORD.matcher(uri).replaceFirst("$1:***@");
    return SECRET_PARAMETER.matcher(s).replaceAll("$1***");
  }
}
