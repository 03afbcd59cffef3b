package dev.sluice.cli.uri;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Turns why a connection to a broker or server failed (a chain of exceptions from a client
 * library) into one sentence for a person: what went wrong and what to do, with no Java class
 * names. Certificates not trusted, expired or for another host, a client certificate the server
 * wants, user name or password refused, nothing listening, an unknown host, no answer.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConnectionFailures {

  private static final Pattern CONNACK_CODE =
      Pattern.compile("CONNACK contained an Error Code: ([A-Z_]+)");
  private static final Pattern CLASS_PREFIX =
      Pattern.compile("(?:[a-zA-Z_$][a-zA-Z0-9_$]*\\.)+[A-Z][a-zA-Z0-9_$]*(?:Exception|Error)"
          + "(?:\\$[A-Za-z0-9_]+)?:?\\s*");

  private ConnectionFailures() {
  }

  /**
   * One sentence on why connecting to {@code target} (e.g. {@code mqtts://host:8883}) failed.
   *
   * @param target   what was being connected to, already free of secrets
   * @param failure  the exception, with its causes
   */
  public static String describe(String target, Throwable failure) {
    List<Throwable> chain = chain(failure);
    String all = messages(chain);
    for (Throwable t : chain) {
      if (t instanceof CertificateExpiredException) {
        return "the certificate of " + target + " has expired: renew it on the server";
      }
      if (t instanceof CertificateNotYetValidException) {
        return "the certificate of " + target + " is not valid yet: check the clocks of both "
            + "machines";
      }
    }
    if (has(chain, CertPathBuilderException.class)
        || all.contains("unable to find valid certification path")
        || all.contains("PKIX path")) {
      return "the certificate of " + target + " is not trusted: give its CA with "
          + "--trust-store FILE (PEM, PKCS12 or JKS)";
    }
    if (all.contains("No subject alternative") || all.contains("No name matching")) {
      return "the certificate of " + target + " is for another host name: connect with a name "
          + "or address the certificate lists, or fix the certificate";
    }
    String lower = all.toLowerCase(Locale.ROOT);
    if (has(chain, SSLException.class) && (lower.contains("certificate_required")
        || lower.contains("bad_certificate") || lower.contains("unknown_ca"))) {
      return target + " wants a client certificate it trusts (TLS alert: "
          + alert(lower) + "): give one with --key-store FILE (PEM or PKCS12)";
    }
    Matcher code = CONNACK_CODE.matcher(all);
    if (code.find()) {
      String reason = code.group(1);
      if (reason.equals("NOT_AUTHORIZED") || reason.equals("BAD_USER_NAME_OR_PASSWORD")
          || reason.equals("BAD_AUTHENTICATION_METHOD")) {
        return target + " refused the user name or password (" + reason + "): check the "
            + "user in the URI and the password in --password-file or $SLUICE_MQTT_PASSWORD";
      }
      if (reason.equals("CLIENT_IDENTIFIER_NOT_VALID") || reason.equals("IDENTIFIER_REJECTED")) {
        return target + " refused the client id (" + reason + "): give another with "
            + "client-id=ID in the URI";
      }
      return target + " refused the connection (" + reason + ")";
    }
    if (has(chain, SSLException.class)) {
      return "the TLS handshake with " + target + " failed (" + clean(deepest(chain, SSLException.class))
          + "): check that the port serves TLS";
    }
    if (has(chain, UnknownHostException.class)) {
      return "unknown host in " + target + ": check the host name";
    }
    if (has(chain, ConnectException.class) && lower.contains("refused")) {
      return "nothing listens at " + target + " (connection refused): is the server running, "
          + "and are the host and port right?";
    }
    if (has(chain, NoRouteToHostException.class)) {
      return "no route to " + target + ": check the host and the network";
    }
    if (has(chain, SocketTimeoutException.class) || has(chain, TimeoutException.class)
        || lower.contains("timed out") || lower.contains("timeout")) {
      return "no answer from " + target + " in time: check the host, the port and any firewall";
    }
    if (lower.contains("closed") || has(chain, ClosedChannelException.class)) {
      return target + " closed the connection while it was being set up: check the scheme "
          + "(TLS or not) and the port";
    }
    return "cannot connect to " + target + ": " + clean(chain.get(chain.size() - 1));
  }

  private static String alert(String lower) {
    for (String name : new String[] {"certificate_required", "bad_certificate", "unknown_ca"}) {
      if (lower.contains(name)) {
        return name;
      }
    }
    return "handshake failure";
  }

  private static List<Throwable> chain(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  private static String messages(List<Throwable> chain) {
    StringBuilder s = new StringBuilder();
    for (Throwable t : chain) {
      s.append(t.getMessage()).append('\n');
    }
    return s.toString();
  }

  private static boolean has(List<Throwable> chain, Class<? extends Throwable> type) {
    return chain.stream().anyMatch(type::isInstance);
  }

  private static Throwable deepest(List<Throwable> chain, Class<? extends Throwable> type) {
    Throwable found = null;
    for (Throwable t : chain) {
      if (type.isInstance(t)) {
        found = t;
      }
    }
    return found;
  }

  /** {@code text} without the Java class names exceptions put in front of messages. */
  public static String withoutClassNames(String text) {
    return CLASS_PREFIX.matcher(text.strip()).replaceAll("").replaceAll("\\s+", " ");
  }

  /** {@code e}'s message without Java class names, or a plain word if it has none. */
  static String clean(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return "no details";
    }
    return CLASS_PREFIX.matcher(message.strip()).replaceAll("").replaceAll("\\s+", " ");
  }
}
