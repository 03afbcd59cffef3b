package dev.sluice.mqtt;

import dev.sluice.spi.OverflowPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reads source and sink options from {@code mqtt://} URIs. Stateless. */
final class UriOptions {

  private UriOptions() {
  }

  /** The decoded path (without its leading '/') and the query parameters, in order. */
  record Parts(String path, Map<String, String> params) {
  }

  static Parts parse(String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URI: " + MqttEndpoint.redact(uri), e);
    }
    String path = parsed.getRawPath() == null ? "" : parsed.getRawPath();
    String query = parsed.getRawQuery();
    String fragment = parsed.getRawFragment();
    if (fragment != null) {             // "mqtt://h/in/#?qos=1": '#' is the multi-level wildcard
      path = path + "%23";
      if (fragment.startsWith("?")) {
        query = fragment.substring(1);
      } else if (!fragment.isEmpty()) {
        throw new IllegalArgumentException("unexpected text after '#' in " + MqttEndpoint.redact(uri));
      }
    }
    if (path.startsWith("/")) {
      path = path.substring(1);
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (name.equals("topic") && params.containsKey("topic")) {
          params.put("topic", params.get("topic") + "\n" + value);
        } else {
          params.put(name, value);
        }
      }
    }
    return new Parts(decode(path), params);
  }

  static void applyTo(MqttSource.Builder b, String uri) {
    Parts parts = parse(uri);
    b.endpoint(e -> e.uri(uri));
    if (!parts.path().isEmpty()) {
      b.topics(parts.path());
    }
    String user = userOf(uri);
    for (Map.Entry<String, String> p : parts.params().entrySet()) {
      String v = p.getValue();
      switch (p.getKey()) {
        case "qos": b.qos(integer("qos", v)); break;
        case "share": b.share(v); break;
        case "client-id": b.clientId(v); break;
        case "session-expiry": b.sessionExpiry(duration("session-expiry", v)); break;
        case "clean-start": b.cleanStart(bool("clean-start", v)); break;
        case "receive-maximum": b.receiveMaximum(integer("receive-maximum", v)); break;
        case "max-buffered": b.maxBuffered(integer("max-buffered", v)); break;
        case "topic": b.topics(v.split("\n")); break;
        case "max-payload": b.maxPayloadBytes(integer("max-payload", v)); break;
        case "qos0-buffer": b.qos0Overflow(integer("qos0-buffer", v), b.overflow); break;
        case "overflow": b.qos0Overflow(b.qos0Buffer, policy(v)); break;
        case "key-property": b.keyProperty(v); break;
        default:
          if (!common(p.getKey(), v, user, b.endpoint)) {
            throw new IllegalArgumentException("unknown parameter '" + p.getKey() + "' in "
                + MqttEndpoint.redact(uri));
          }
      }
    }
  }

  /** Applies an endpoint parameter; false if {@code name} is not one. */
  static boolean common(String name, String v, String user, MqttEndpoint.Builder e) {
    switch (name) {
      case "version": e.version(version(v)); return true;
      case "keep-alive": e.keepAlive(duration("keep-alive", v)); return true;
      case "password-env":
        e.credentials(Credentials.fromEnv(requireUser(user, name), v));
        return true;
      case "password-file":
        e.credentials(Credentials.fromFile(requireUser(user, name), Path.of(v)));
        return true;
      case "password":
        throw new IllegalArgumentException(
            "a password must not be given in the URI: use password-env=VAR or password-file=PATH");
      default:
        return false;
    }
  }

  static String userOf(String uri) {
    try {
      return new URI(uri).getUserInfo();
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String requireUser(String user, String param) {
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException(param + " needs a user name in the URI: mqtt://USER@host");
    }
    return user;
  }

  static MqttVersion version(String v) {
    switch (v) {
      case "5": case "5.0": return MqttVersion.V5;
      case "3": case "3.1.1": case "4": return MqttVersion.V3_1_1;
      default: throw new IllegalArgumentException("version must be 5 or 3.1.1 but was '" + v + "'");
    }
  }

  static OverflowPolicy policy(String v) {
    try {
      return OverflowPolicy.valueOf(v.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "overflow must be block, drop-newest, drop-oldest or fail but was '" + v + "'");
    }
  }

  static int integer(String name, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer but was '" + v + "'");
    }
  }

  static boolean bool(String name, String v) {
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException(name + " must be true or false but was '" + v + "'");
  }

  /** "90" (seconds), "500ms", "30s", "15m", "1h", "7d". */
  static Duration duration(String name, String v) {
    try {
      String s = v.trim().toLowerCase(Locale.ROOT);
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      char unit = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
      String number = Character.isDigit(unit) ? s : s.substring(0, s.length() - 1);
      long n = Long.parseLong(number);
      switch (unit) {
        case 's': return Duration.ofSeconds(n);
        case 'm': return Duration.ofMinutes(n);
        case 'h': return Duration.ofHours(n);
        case 'd': return Duration.ofDays(n);
        default:
          if (Character.isDigit(unit)) {
            return Duration.ofSeconds(n);
          }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a duration like 30s, 15m, 1h or 7d but was '"
        + v + "'");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
