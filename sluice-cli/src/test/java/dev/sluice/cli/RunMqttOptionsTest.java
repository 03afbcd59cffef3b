package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.mqtt.broker.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad MQTT and TLS command lines, in process: each is one line on stderr, exit 2, before
 * anything connects, and names the option, the file or the URI and what to do; never a
 * password, a Java class or Java advice.
 */
@Timeout(120)
class RunMqttOptionsTest {

  @TempDir
  static Path dir;

  private static TestCertificates certs;

  @BeforeAll
  static void makeCertificates() {
    certs = TestCertificates.create(dir.resolve("certs"));
  }

  private static CommandRun run(String... args) {
    List<String> all = new ArrayList<>(List.of("run", "--exec", "cat"));
    all.addAll(List.of(args));
    return CommandRun.of(all.toArray(new String[0]));
  }

  private static org.assertj.core.api.AbstractStringAssert<?> usageError(CommandRun run) {
    assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(2);
    assertThat(run.errLines()).hasSize(1);
    return assertThat(run.errLines().get(0)).startsWith("sluice run: ")
        .doesNotContain("java.").doesNotContain("Exception").doesNotContain("Credentials.");
  }

  @Test
  void portZeroInAnMqttUriIsRefusedLikeAPortPast65535() {
    usageError(run("--source", "mqtt://127.0.0.1:0/in?client-id=c"))
        .contains("--source 'mqtt://127.0.0.1:0/in?client-id=c'")
        .contains("port must be in 1..65535 but was 0");
    usageError(run("--source", "mqtts://127.0.0.1:0/in?client-id=c"))
        .contains("port must be in 1..65535 but was 0");
    usageError(run("--sink", "mqtt://127.0.0.1:0/out"))
        .contains("--sink 'mqtt://127.0.0.1:0/out'").contains("port must be in 1..65535 but was 0");
    usageError(run("--source", "mqtt://127.0.0.1:70000/in?client-id=c"))
        .contains("port must be in 1..65535 but was 70000");
  }

  @Test
  void aPasswordInAnMqttUriIsRefusedWithoutShowingItOrJavaAdvice() {
    usageError(run("--sink", "mqtt://scorer:hunter2@127.0.0.1:1883/out"))
        .contains("holds a password").contains("--password-file").doesNotContain("hunter2");
  }

  @Test
  void aUserWithoutAPasswordSaysWhereToGiveIt() {
    // the user name with a topic template in the path: java.net.URI alone cannot parse it
    usageError(run("--sink", "mqtt://scorer@127.0.0.1:1883/scores/{topic.1}?qos=1"))
        .contains("names user 'scorer': give its password with --password-file FILE or in "
            + "$SLUICE_MQTT_PASSWORD");
  }

  @Test
  void aMissingTrustStoreIsOneLine() {
    usageError(run("--sink", "mqtts://127.0.0.1:8883/out", "--trust-store", "/no/such/ca.crt"))
        .contains("--trust-store /no/such/ca.crt: no such file");
  }

  @Test
  void aTrustStoreThatIsNoCertificateIsOneLine() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.crt"), "not a certificate\n");
    usageError(run("--sink", "mqtts://127.0.0.1:8883/out", "--trust-store", junk.toString()))
        .contains("is neither PEM certificates nor a PKCS12 or JKS store");
  }

  @Test
  void aTrustStoreWithAWrongPasswordIsOneLineWithoutThePassword() throws Exception {
    Path password = Files.writeString(dir.resolve("wrong-store-password"), "guess-1\n");
    usageError(run("--sink", "mqtts://127.0.0.1:8883/out", "--trust-store",
        certs.caP12().toString(), "--trust-store-password-file", password.toString()))
        .contains("wrong password").contains("--trust-store-password-file")
        .doesNotContain("guess-1");
  }

  @Test
  void aPkcs12TrustStoreWithoutItsPasswordSaysHowToGiveIt() {
    usageError(run("--sink", "mqtts://127.0.0.1:8883/out", "--trust-store",
        certs.caP12().toString()))
        .contains("$SLUICE_TRUST_STORE_PASSWORD");
  }

  @Test
  void aKeyStoreWithACertificateButNoKeyIsOneLine() {
    usageError(run("--sink", "mqtts://127.0.0.1:8883/out", "--key-store",
        certs.clientCert().toString()))
        .contains("--key-store " + certs.clientCert() + " holds no private key");
  }

  @Test
  void aKeyInAFormatTheJdkDoesNotReadSaysHowToConvertIt() throws Exception {
    Path ec = Files.writeString(dir.resolve("ec.pem"), Files.readString(certs.clientCert())
        + "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n");
    usageError(run("--sink", "mqtts://127.0.0.1:8883/out", "--key-store", ec.toString()))
        .contains("'EC PRIVATE KEY'").contains("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void tlsFilesNeedATlsUri() {
    usageError(run("--sink", "mqtt://127.0.0.1:1883/out", "--trust-store",
        certs.caCert().toString()))
        .contains("--trust-store " + certs.caCert() + " needs a TLS URI (mqtts:// or wss://)");
    usageError(run("--sink", "mqtt://127.0.0.1:1883/out", "--key-store",
        certs.clientPem().toString()))
        .contains("needs a TLS URI");
    usageError(run("--sink", "mqtts://127.0.0.1:8883/out", "--key-store-password-file", "x"))
        .contains("--key-store-password-file goes with --key-store");
  }
}
