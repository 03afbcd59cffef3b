package dev.sluice.cli.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.mqtt.broker.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust and key files users have, told apart by content, with openssl-made certificates. */
class TlsFilesTest {

  @TempDir
  static Path dir;

  private static TestCertificates certs;
  private static final char[] PASSWORD = TestCertificates.STORE_PASSWORD.toCharArray();

  @BeforeAll
  static void makeCertificates() {
    certs = TestCertificates.create(dir.resolve("certs"));
  }

  private static X509TrustManager trustManager(Path file, char[] password) {
    return (X509TrustManager) TlsFiles.trust("--trust-store", file, password)
        .getTrustManagers()[0];
  }

  @Test
  void aPemFileWithSeveralCasTrustsEachOfThem() throws Exception {
    Path bundle = Files.writeString(dir.resolve("bundle.crt"),
        Files.readString(certs.caCert()) + Files.readString(certs.otherCaCert()));
    assertThat(trustManager(bundle, null).getAcceptedIssuers()).hasSize(2);
  }

  @Test
  void storesAreReadByTheirContentWhateverTheirName() throws Exception {
    Path jksNamedCrt = Files.copy(certs.caJks(), dir.resolve("looks-like-pem.crt"));
    Path p12NamedJks = Files.copy(certs.caP12(), dir.resolve("looks-like.jks"));
    assertThat(trustManager(jksNamedCrt, PASSWORD).getAcceptedIssuers()).hasSize(1);
    assertThat(trustManager(p12NamedJks, PASSWORD).getAcceptedIssuers()).hasSize(1);
  }

  @Test
  void aPemKeyStoreTakesAPkcs8OrAnRsaKeyAfterTheCertificate() throws Exception {
    Path rsa = Files.writeString(dir.resolve("client-rsa.pem"),
        Files.readString(certs.clientCert()) + Files.readString(certs.clientRsaKey()));
    for (Path pem : new Path[] {certs.clientPem(), rsa}) {
      KeyManagerFactory keys = TlsFiles.keys("--key-store", pem, null);
      X509KeyManager manager = (X509KeyManager) keys.getKeyManagers()[0];
      assertThat(manager.getCertificateChain("client")[0].getSubjectX500Principal().getName())
          .as("%s", pem).isEqualTo("CN=scorer");
      assertThat(manager.getPrivateKey("client").getAlgorithm()).isEqualTo("RSA");
    }
  }

  @Test
  void aPkcs12KeyStoreNeedsItsPassword() {
    assertThat(TlsFiles.keys("--key-store", certs.clientP12(), PASSWORD)).isNotNull();
    assertThatThrownBy(() -> TlsFiles.keys("--key-store", certs.clientP12(),
        "wrong".toCharArray()))
        .hasMessage("--key-store " + certs.clientP12() + ": wrong password, or none given: give "
            + "it with --key-store-password-file FILE or $SLUICE_KEY_STORE_PASSWORD");
  }

  @Test
  void passwordsComeFromTheFileElseTheVariable() throws Exception {
    Path file = Files.writeString(dir.resolve("pass"), TestCertificates.STORE_PASSWORD + "\n");
    ClientTls fromFile = ClientTls.load(certs.caP12(), file, null, null, Map.of());
    ClientTls fromEnv = ClientTls.load(certs.caP12(), null, certs.clientP12(), null,
        Map.of("SLUICE_TRUST_STORE_PASSWORD", TestCertificates.STORE_PASSWORD,
            "SLUICE_KEY_STORE_PASSWORD", TestCertificates.STORE_PASSWORD));
    assertThat(fromFile.trust()).isNotNull();
    assertThat(fromFile.keys()).isNull();
    assertThat(fromEnv.keys()).isNotNull();
    assertThat(fromEnv.sslContext().getProtocol()).isEqualTo("TLS");
    assertThatThrownBy(() -> ClientTls.load(certs.caP12(), dir.resolve("no-such"), null, null,
        Map.of())).hasMessage("--trust-store-password-file " + dir.resolve("no-such")
        + ": no such file");
  }
}
