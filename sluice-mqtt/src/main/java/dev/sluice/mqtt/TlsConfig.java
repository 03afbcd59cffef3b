package dev.sluice.mqtt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for {@code mqtts://}: what to trust (default: the JDK's trusted CAs) and, for mutual
 * TLS, a client certificate. Either give stores ({@link Builder#trustStore},
 * {@link Builder#keyStore}: PKCS#12 or JKS, told apart by their content) or ready-made
 * factories ({@link Builder#trustManagers}, {@link Builder#keyManagers}), e.g. from PEM files
 * read by the caller. The broker's host name is always checked against its certificate.
 * Store passwords are never printed.
 *
 * <p>Immutable and thread-safe. The stores are read when {@link Builder#build()} runs, so a
 * missing file or a wrong password fails there.
 */
public final class TlsConfig {

  private final TrustManagerFactory trustManagers;
  private final KeyManagerFactory keyManagers;
  private final String description;

  private TlsConfig(TrustManagerFactory trustManagers, KeyManagerFactory keyManagers,
      String description) {
    this.trustManagers = trustManagers;
    this.keyManagers = keyManagers;
    this.description = description;
  }

  /** TLS with the JDK's default trust and no client certificate. */
  public static TlsConfig defaults() {
    return new TlsConfig(null, null, "TlsConfig[default trust]");
  }

  /** Starts a configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /** The trust managers, or null for the JDK's defaults. */
  public TrustManagerFactory trustManagers() {
    return trustManagers;
  }

  /** The key managers holding the client certificate, or null for none. */
  public KeyManagerFactory keyManagers() {
    return keyManagers;
  }

  @Override
  public String toString() {
    return description;
  }

  /** Builds a {@link TlsConfig}. Not thread-safe. */
  public static final class Builder {
    private Path trustStore;
    private char[] trustStorePassword;
    private Path keyStore;
    private char[] keyStorePassword;
    private TrustManagerFactory trustManagers;
    private KeyManagerFactory keyManagers;

    private Builder() {
    }

    /** Trust what these (initialised) trust managers trust; instead of {@link #trustStore}. */
    public Builder trustManagers(TrustManagerFactory factory) {
      this.trustManagers = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** Present the certificate these (initialised) key managers hold; instead of {@link #keyStore}. */
    public Builder keyManagers(KeyManagerFactory factory) {
      this.keyManagers = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** A store of CA certificates to trust; {@code password} may be null for none. */
    public Builder trustStore(Path path, char[] password) {
      this.trustStore = Objects.requireNonNull(path, "path");
      this.trustStorePassword = password == null ? null : password.clone();
      return this;
    }

    /** A store holding the client's certificate and private key. */
    public Builder keyStore(Path path, char[] password) {
      this.keyStore = Objects.requireNonNull(path, "path");
      this.keyStorePassword = password == null ? new char[0] : password.clone();
      return this;
    }

    /**
     * Reads the stores.
     *
     * @throws IllegalArgumentException if a store cannot be read or opened, or both a store
     *     and factory were given for the same side
     */
    public TlsConfig build() {
      if (trustStore != null && trustManagers != null || keyStore != null && keyManagers != null) {
        throw new IllegalArgumentException("give a store or a factory for each side, not both");
      }
      try {
        TrustManagerFactory tmf = trustManagers;
        if (trustStore != null) {
          tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
          tmf.init(load(trustStore, trustStorePassword));
        }
        KeyManagerFactory kmf = keyManagers;
        if (keyStore != null) {
          kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
          kmf.init(load(keyStore, keyStorePassword), keyStorePassword);
        }
        return new TlsConfig(tmf, kmf, "TlsConfig[trust=" + (trustStore != null ? trustStore
            : tmf != null ? "given" : "default") + ", keyStore=" + (keyStore != null ? keyStore
            : kmf != null ? "given" : "none") + "]");
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalArgumentException("cannot open TLS stores: " + e.getMessage(), e);
      }
    }

    /** PKCS#12 or JKS, whichever the content is (the JDK probes it). */
    private static KeyStore load(Path path, char[] password)
        throws GeneralSecurityException, IOException {
      if (!Files.isReadable(path)) {
        throw new IOException("cannot read " + path);
      }
      return KeyStore.getInstance(path.toFile(), password);
    }
  }
}
