package dev.sluice.cli.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS settings of one run, shared by every TLS URI in it ({@code wss://}, {@code mqtts://},
 * and connectors to come): what to trust ({@code --trust-store}) and the client certificate
 * for mutual TLS ({@code --key-store}). Either may be absent: then the JDK's trusted CAs, and
 * no client certificate. Each connector takes the form it needs: factories (the MQTT client)
 * or an {@link SSLContext} (the JDK's WebSocket client).
 *
 * <p>Immutable and thread-safe once loaded.
 *
 * @param trust the trust managers, or null for the JDK's default trust
 * @param keys  the key managers holding the client certificate, or null for none
 */
public record ClientTls(TrustManagerFactory trust, KeyManagerFactory keys) {

  /** The JDK's trust, no client certificate. */
  public static final ClientTls DEFAULT = new ClientTls(null, null);

  /**
   * Reads the files. A store's password comes from its password file if given, else from the
   * environment variable ({@code SLUICE_TRUST_STORE_PASSWORD}, {@code
   * SLUICE_KEY_STORE_PASSWORD}) if set, else there is none.
   *
   * @param trustStore             {@code --trust-store}, or null
   * @param trustStorePasswordFile {@code --trust-store-password-file}, or null
   * @param keyStore               {@code --key-store}, or null
   * @param keyStorePasswordFile   {@code --key-store-password-file}, or null
   * @param environment            the process's environment
   * @throws IllegalArgumentException one line naming the option, the file and the fix
   */
  public static ClientTls load(Path trustStore, Path trustStorePasswordFile, Path keyStore,
      Path keyStorePasswordFile, Map<String, String> environment) {
    TrustManagerFactory trust = null;
    KeyManagerFactory keys = null;
    if (trustStore != null) {
      trust = TlsFiles.trust("--trust-store", trustStore,
          password("--trust-store", trustStorePasswordFile, environment));
    }
    if (keyStore != null) {
      keys = TlsFiles.keys("--key-store", keyStore,
          password("--key-store", keyStorePasswordFile, environment));
    }
    return new ClientTls(trust, keys);
  }

  /** The password of {@code option}'s store: its file's first line, or the variable, or null. */
  private static char[] password(String option, Path file, Map<String, String> environment) {
    if (file == null) {
      String value = environment.get(TlsFiles.passwordVariable(option));
      return value == null ? null : value.toCharArray();
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.indexOf('\n');
      return (end < 0 ? text : text.substring(0, end)).replace("\r", "").toCharArray();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(option + "-password-file " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(option + "-password-file " + file + " cannot be read");
    }
  }

  /** True when neither a trust store nor a key store was given. */
  public boolean isDefault() {
    return trust == null && keys == null;
  }

  /** A TLS context from these settings (the JDK's defaults where one is absent). */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(),
          trust == null ? null : trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no TLS: " + e.getMessage(), e);
    }
  }
}
