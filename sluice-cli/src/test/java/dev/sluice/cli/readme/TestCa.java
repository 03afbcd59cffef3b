package dev.sluice.cli.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A private CA made with openssl, as a reader's operations team would have one, and a server
 * certificate it signed for 127.0.0.1 and localhost. Immutable; thread-safe. openssl makes the
 * keys and certificates (a few milliseconds, where keytool takes a JVM start per step); the
 * stores Java reads are written with {@link KeyStore}.
 *
 * @param caCertificate     the CA's certificate (PEM)
 * @param serverKey         the server's private key (PKCS#8 PEM)
 * @param serverCertificate the server's certificate, signed by the CA (PEM)
 */
record TestCa(Path caCertificate, Path serverKey, Path serverCertificate) {

  /** Makes the CA and the server's certificate in {@code dir}. */
  static TestCa make(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path caKey = dir.resolve("ca.key");
    Path ca = dir.resolve("ca.crt");
    Path key = dir.resolve("server.key");
    Path request = dir.resolve("server.csr");
    Path certificate = dir.resolve("server.crt");
    Path extensions = Files.writeString(dir.resolve("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2",
        "-subj", "/CN=Sluice README test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign");
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key.toString(), "-out", request.toString(), "-subj", "/CN=localhost");
    openssl("x509", "-req", "-in", request.toString(), "-CA", ca.toString(),
        "-CAkey", caKey.toString(), "-CAcreateserial", "-days", "2",
        "-extfile", extensions.toString(), "-out", certificate.toString());
    return new TestCa(ca, key, certificate);
  }

  /** Writes a PKCS12 trust store holding the CA's certificate only (the README's ca.p12). */
  void writeTrustStore(Path file, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", certificate(caCertificate));
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
  }

  /** The server's key and chain (its certificate, then the CA's), for a TLS listener. */
  KeyStore serverKeyStore(String password) throws Exception {
    String pem = Files.readString(serverKey);
    byte[] der = Base64.getMimeDecoder().decode(pem
        .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", ""));
    PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(
        new PKCS8EncodedKeySpec(der));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", privateKey, password.toCharArray(),
        new Certificate[] {certificate(serverCertificate), certificate(caCertificate)});
    return store;
  }

  private static Certificate certificate(Path pem) throws Exception {
    return CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("openssl"));
    argv.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("openssl is needed to make the test CA: " + e.getMessage(), e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("openssl %s: %s", String.join(" ", args), output).isZero();
  }
}
