package dev.sluice.cli.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the files a user has for TLS into what the connectors take: a trust file
 * ({@code --trust-store}) into a {@link TrustManagerFactory}, a client certificate and key
 * ({@code --key-store}) into a {@link KeyManagerFactory}. The format is told by the content,
 * not the name:
 * <ul>
 *   <li>PEM ({@code -----BEGIN}): one or more {@code CERTIFICATE} blocks (a CA file such as
 *       Mosquitto's {@code ca.crt}); for a key store also the private key, unencrypted, as
 *       {@code PRIVATE KEY} (PKCS#8) or {@code RSA PRIVATE KEY} (PKCS#1);</li>
 *   <li>otherwise a PKCS#12 or JKS store, with its password if it has one.</li>
 * </ul>
 * Every failure is an {@link IllegalArgumentException} with one line that names the option and
 * the file, says what is wrong and how to fix it, and never shows a password.
 *
 * <p>Stateless and thread-safe. Used while the command line is checked.
 */
public final class TlsFiles {

  private static final Pattern PEM_BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private TlsFiles() {
  }

  /**
   * The certificates in {@code file} to trust instead of the JDK's.
   *
   * @param option   the option that named the file, for messages
   * @param password the store's password, or null; PEM files take none
   */
  public static TrustManagerFactory trust(String option, Path file, char[] password) {
    byte[] content = read(option, file);
    KeyStore store;
    if (isPem(content)) {
      List<X509Certificate> certs = certificates(option, file, pemBlocks(content, "CERTIFICATE"));
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(option + " " + file + " holds no CERTIFICATE block: "
            + "give the CA certificate (PEM), or a PKCS12 or JKS trust store");
      }
      store = emptyStore(option, file);
      for (int i = 0; i < certs.size(); i++) {
        try {
          store.setCertificateEntry("ca-" + i, certs.get(i));
        } catch (GeneralSecurityException e) {
          throw unusable(option, file, e);
        }
      }
    } else {
      store = loadStore(option, file, password);
      if (count(store, false) == 0) {
        // a PKCS12 store opened without its password shows no certificates
        throw new IllegalArgumentException(option + " " + file + " shows no certificate"
            + (password == null ? " without a password: give it with " + option
            + "-password-file FILE or $" + passwordVariable(option) : ""));
      }
    }
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (GeneralSecurityException e) {
      throw unusable(option, file, e);
    }
  }

  /**
   * The client certificate and its key in {@code file}, for mutual TLS.
   *
   * @param option   the option that named the file, for messages
   * @param password the store's (and its key's) password, or null; PEM keys must be unencrypted
   */
  public static KeyManagerFactory keys(String option, Path file, char[] password) {
    byte[] content = read(option, file);
    KeyStore store;
    char[] keyPassword = password == null ? new char[0] : password;
    if (isPem(content)) {
      List<X509Certificate> chain = certificates(option, file, pemBlocks(content, "CERTIFICATE"));
      PrivateKey key = privateKey(option, file, content);
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(option + " " + file + " holds a key but no "
            + "CERTIFICATE block: put the client certificate and its key in one PEM file "
            + "(cat client.crt client.key > client.pem)");
      }
      store = emptyStore(option, file);
      try {
        store.setKeyEntry("client", key, keyPassword, chain.toArray(new Certificate[0]));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(option + " " + file + ": the key does not fit the "
            + "certificate (" + e.getMessage() + ")");
      }
    } else {
      store = loadStore(option, file, password);
      if (count(store, true) == 0) {
        throw new IllegalArgumentException(option + " " + file + " holds no private key"
            + (password == null ? " that opens without a password: give it with " + option
            + "-password-file FILE or $" + passwordVariable(option) : ""));
      }
    }
    try {
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, keyPassword);
      return factory;
    } catch (UnrecoverableKeyException e) {
      throw new IllegalArgumentException(option + " " + file + ": the key's password is wrong "
          + "(it must be the store's password)");
    } catch (GeneralSecurityException e) {
      throw unusable(option, file, e);
    }
  }

  /** How many key entries ({@code keys}) or certificate entries the store holds. */
  private static int count(KeyStore store, boolean keys) {
    int n = 0;
    try {
      for (String alias : java.util.Collections.list(store.aliases())) {
        if (keys ? store.isKeyEntry(alias) : store.isCertificateEntry(alias)
            || store.isKeyEntry(alias) && store.getCertificate(alias) != null) {
          n++;
        }
      }
    } catch (GeneralSecurityException e) {
      return 0;
    }
    return n;
  }

  private static byte[] read(String option, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(option + " " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + file + " cannot be read"
          + (Files.isDirectory(file) ? " (it is a directory)" : ""));
    }
  }

  private static boolean isPem(byte[] content) {
    return new String(content, 0, Math.min(content.length, 4096), StandardCharsets.ISO_8859_1)
        .contains("-----BEGIN ");
  }

  /** The base64-decoded bodies of the PEM blocks labelled {@code label}. */
  private static List<byte[]> pemBlocks(byte[] content, String label) {
    List<byte[]> blocks = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(new String(content, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      if (m.group(1).equals(label)) {
        blocks.add(Base64.getMimeDecoder().decode(m.group(2)));
      }
    }
    return blocks;
  }

  private static List<String> pemLabels(byte[] content) {
    List<String> labels = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(new String(content, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      labels.add(m.group(1));
    }
    return labels;
  }

  private static List<X509Certificate> certificates(String option, Path file, List<byte[]> ders) {
    List<X509Certificate> certs = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (byte[] der : ders) {
        certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(option + " " + file + " has a CERTIFICATE block that "
          + "is not a valid X.509 certificate");
    }
    return certs;
  }

  private static PrivateKey privateKey(String option, Path file, byte[] content) {
    List<String> labels = pemLabels(content);
    List<byte[]> pkcs8 = pemBlocks(content, "PRIVATE KEY");
    List<byte[]> pkcs1 = pemBlocks(content, "RSA PRIVATE KEY");
    String convert = ": convert it with 'openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem' "
        + "and put it after the certificate, or give a PKCS12 store";
    if (labels.contains("ENCRYPTED PRIVATE KEY")) {
      throw new IllegalArgumentException(option + " " + file + " holds an encrypted PEM key"
          + convert);
    }
    if (pkcs8.isEmpty() && pkcs1.isEmpty()) {
      String other = labels.stream().filter(l -> l.endsWith("PRIVATE KEY")).findFirst()
          .orElse(null);
      if (other != null) {
        throw new IllegalArgumentException(option + " " + file + " holds a key as '" + other
            + "', which is not read here" + convert);
      }
      throw new IllegalArgumentException(option + " " + file + " holds no private key: put "
          + "the client certificate and its key in one PEM file (cat client.crt client.key > "
          + "client.pem), or give a PKCS12 store");
    }
    byte[] der = pkcs8.isEmpty() ? rsaPkcs1ToPkcs8(pkcs1.get(0)) : pkcs8.get(0);
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(option + " " + file + ": the private key cannot be "
        + "read" + convert);
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo, which the JDK reads. */
  private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};      // rsaEncryption, NULL
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = der(0x04, pkcs1);
    byte[] body = new byte[version.length + algorithm.length + octets.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
    System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
    return der(0x30, body);
  }

  private static byte[] der(int tag, byte[] content) {
    int n = content.length;
    byte[] length;
    if (n < 0x80) {
      length = new byte[] {(byte) n};
    } else if (n < 0x100) {
      length = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + length.length + n];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(content, 0, out, 1 + length.length, n);
    return out;
  }

  private static KeyStore emptyStore(String option, Path file) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw unusable(option, file, e);
    }
  }

  /** A PKCS#12 or JKS store, its type probed from the content. */
  private static KeyStore loadStore(String option, Path file, char[] password) {
    try {
      return KeyStore.getInstance(file.toFile(), password);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException
          || String.valueOf(e.getMessage()).contains("password")) {
        throw new IllegalArgumentException(option + " " + file + ": wrong password, or none "
            + "given: give it with " + option + "-password-file FILE or $"
            + passwordVariable(option));
      }
      throw notAStore(option, file);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw notAStore(option, file);          // no known store type, or a damaged one
    }
  }

  /** {@code SLUICE_TRUST_STORE_PASSWORD} for {@code --trust-store}, and so on. */
  public static String passwordVariable(String option) {
    return "SLUICE_" + option.replaceFirst("^--", "").replace('-', '_')
        .toUpperCase(java.util.Locale.ROOT) + "_PASSWORD";
  }

  private static IllegalArgumentException notAStore(String option, Path file) {
    return new IllegalArgumentException(option + " " + file + " is neither PEM certificates "
        + "nor a PKCS12 or JKS store");
  }

  private static IllegalArgumentException unusable(String option, Path file, Exception e) {
    return new IllegalArgumentException(option + " " + file + " cannot be used: "
        + e.getMessage());
  }
}
