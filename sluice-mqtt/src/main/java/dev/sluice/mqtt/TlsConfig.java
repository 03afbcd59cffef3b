package dev.sluice.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for {@code mqtts://}: an optional trust store (to trust a private CA; default: the JDK's
 * trusted CAs) and an optional key store holding a client certificate. Stores ending in
 * {@code .jks} are read as JKS, others as PKCS#12. Store passwords are never printed.
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

    private Builder() {
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
     * @throws IllegalArgumentException if a store cannot be read or opened
     */
    public TlsConfig build() {
      try {
        TrustManagerFactory tmf = null;
        if (trustStore != null) {
          tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
          tmf.init(load(trustStore, trustStorePassword));
        }
        KeyManagerFactory kmf = null;
        if (keyStore != null) {
          kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
          kmf.init(load(keyStore, keyStorePassword), keyStorePassword);
        }
        return new TlsConfig(tmf, kmf, "TlsConfig[trustStore=" + trustStore
            + ", keyStore=" + keyStore + "]");
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalArgumentException("cannot open TLS stores: " + e.getMessage(), e);
      }
    }

    private static KeyStore load(Path path, char[] password)
        throws GeneralSecurityException, IOException {
      String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
      KeyStore store = KeyStore.getInstance(name.endsWith(".jks") ? "JKS" : "PKCS12");
      try (InputStream in = Files.newInputStream(path)) {
        store.load(in, password);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      return store;
    }
  }
}
