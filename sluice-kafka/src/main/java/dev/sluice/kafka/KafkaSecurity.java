package dev.sluice.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a Kafka client authenticates and encrypts: TLS, SASL (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512), or both, as the client properties Kafka expects.
 *
 * <pre>{@code
 * KafkaSecurity security = KafkaSecurity.builder()
 *     .sasl("SCRAM-SHA-512", "alice", KafkaSecurity.secretFromEnv("KAFKA_PASSWORD"))
 *     .tls(Path.of("ca.pem"))            // the CA certificates to trust, PEM; omit for the JDK's
 *     .build();                           // -> SASL_SSL
 * }</pre>
 *
 * <p><b>Secrets.</b> Passwords come from an environment variable or a file
 * ({@link #secretFromEnv}, {@link #secretFromFile}), never from a command line. They reach Kafka
 * only as {@code sasl.jaas.config} and {@code ssl.truststore.password}, which Kafka's own
 * configuration logging masks; {@link #toString()} shows neither.
 *
 * <p>Immutable and thread-safe.
 */
public final class KafkaSecurity {

  /** No TLS, no SASL. */
  public static final KafkaSecurity NONE = new KafkaSecurity(Map.of(), "PLAINTEXT");

  private final Map<String, Object> properties;
  private final String description;

  private KafkaSecurity(Map<String, Object> properties, String description) {
    this.properties = properties;
    this.description = description;
  }

  /** Starts a configuration: PLAINTEXT until TLS or SASL is given. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The value of the environment variable {@code name}.
   *
   * @throws IllegalArgumentException if it is unset or empty
   */
  public static String secretFromEnv(String name) {
    Objects.requireNonNull(name, "name");
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("environment variable " + name + " is unset or empty");
    }
    return value;
  }

  /**
   * The first line of {@code file} (a trailing line break is not part of it).
   *
   * @throws UncheckedIOException     if the file cannot be read
   * @throws IllegalArgumentException if the file is empty
   */
  public static String secretFromFile(Path file) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read secret file " + file, e);
    }
    int end = text.indexOf('\n');
    String line = (end < 0 ? text : text.substring(0, end)).replace("\r", "");
    if (line.isEmpty()) {
      throw new IllegalArgumentException("secret file " + file + " is empty");
    }
    return line;
  }

  /** The client properties ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}). */
  public Map<String, Object> properties() {
    return properties;
  }

  /** The protocol and mechanism, without secrets. */
  @Override
  public String toString() {
    return "KafkaSecurity[" + description + "]";
  }

  /** Builds {@link KafkaSecurity}. Not thread-safe: use it from one thread. */
  public static final class Builder {
    private String mechanism;
    private String username;
    private String password;
    private boolean tls;
    private Path trustStore;
    private String trustStorePassword;
    private boolean verifyHostname = true;

    private Builder() {
    }

    /**
     * SASL with {@code mechanism} (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) as {@code username}.
     *
     * @throws IllegalArgumentException for another mechanism
     */
    public Builder sasl(String mechanism, String username, String password) {
      Objects.requireNonNull(mechanism, "mechanism");
      String m = mechanism.toUpperCase(Locale.ROOT);
      if (!m.equals("PLAIN") && !m.equals("SCRAM-SHA-256") && !m.equals("SCRAM-SHA-512")) {
        throw new IllegalArgumentException("SASL mechanism must be PLAIN, SCRAM-SHA-256 or "
            + "SCRAM-SHA-512 but was " + mechanism);
      }
      this.mechanism = m;
      this.username = Objects.requireNonNull(username, "username");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /** TLS, trusting the JDK's default certificate authorities. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /**
     * TLS, trusting the certificates in {@code pemFile} (PEM, one or more CA certificates).
     */
    public Builder tls(Path pemFile) {
      this.tls = true;
      this.trustStore = Objects.requireNonNull(pemFile, "pemFile");
      this.trustStorePassword = null;
      return this;
    }

    /** TLS, trusting the certificates in the PKCS12 store {@code path}. */
    public Builder tls(Path path, String password) {
      this.tls = true;
      this.trustStore = Objects.requireNonNull(path, "path");
      this.trustStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /** Whether the broker's certificate must name its host; on by default. */
    public Builder verifyHostname(boolean verify) {
      this.verifyHostname = verify;
      return this;
    }

    public KafkaSecurity build() {
      Map<String, Object> p = new HashMap<>();
      String protocol = (mechanism != null ? "SASL_" : "") + (tls ? "SSL" : "PLAINTEXT");
      p.put("security.protocol", protocol);
      StringBuilder description = new StringBuilder(protocol);
      if (mechanism != null) {
        String module = mechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
        p.put("sasl.mechanism", mechanism);
        p.put("sasl.jaas.config", module + " required username=\"" + escape(username)
            + "\" password=\"" + escape(password) + "\";");
        description.append(' ').append(mechanism).append(" as ").append(username);
      }
      if (tls) {
        if (trustStore != null) {
          p.put("ssl.truststore.location", trustStore.toString());
          if (trustStorePassword == null) {
            p.put("ssl.truststore.type", "PEM");
          } else {
            p.put("ssl.truststore.type", "PKCS12");
            p.put("ssl.truststore.password", trustStorePassword);
          }
          description.append(", trusting ").append(trustStore);
        }
        p.put("ssl.endpoint.identification.algorithm", verifyHostname ? "https" : "");
      }
      return new KafkaSecurity(Map.copyOf(p), description.toString());
    }

    private static String escape(String s) {
      return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
  }
}
