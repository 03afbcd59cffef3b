package dev.sluice.mqtt.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made by the {@code openssl} command (and the JDK's
 * {@code keytool} for Java stores) in a folder: a CA, a server certificate for
 * {@code localhost}/{@code 127.0.0.1}, an expired one, one for another host name, a client
 * certificate for mutual TLS in several key formats, and a second CA that signed none of them.
 * Every command runs from an argv array, never through a shell.
 *
 * @param dir the folder holding every file
 */
public record TestCertificates(Path dir) {

  /** The password of {@link #clientP12()}, {@link #caP12()} and {@link #caJks()}. */
  public static final String STORE_PASSWORD = "store-secret";

  /** Makes every file in {@code dir} (a few seconds: five RSA keys). */
  public static TestCertificates create(Path dir) {
    TestCertificates c = new TestCertificates(dir);
    c.make();
    return c;
  }

  public Path caCert() { return dir.resolve("ca.crt"); }

  /** A CA that signed none of these certificates. */
  public Path otherCaCert() { return dir.resolve("other-ca.crt"); }

  /** {@link #caCert()} as a PKCS#12 trust store, password {@link #STORE_PASSWORD}. */
  public Path caP12() { return dir.resolve("ca.p12"); }

  /** {@link #caCert()} as a JKS trust store, password {@link #STORE_PASSWORD}. */
  public Path caJks() { return dir.resolve("ca.jks"); }

  /** The server's private key (for all three server certificates). */
  public Path serverKey() { return dir.resolve("server.key"); }

  /** Valid for 30 days for DNS localhost and IP 127.0.0.1. */
  public Path serverCert() { return dir.resolve("server.crt"); }

  /** For localhost and 127.0.0.1, but expired. */
  public Path expiredCert() { return dir.resolve("expired.crt"); }

  /** Valid, but for wrong.example.com only. */
  public Path wrongHostCert() { return dir.resolve("wrong-host.crt"); }

  /** The client certificate (CN=scorer) for mutual TLS. */
  public Path clientCert() { return dir.resolve("client.crt"); }

  /** The client key, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  public Path clientKey() { return dir.resolve("client.key"); }

  /** The client key, PKCS#1 PEM ({@code BEGIN RSA PRIVATE KEY}). */
  public Path clientRsaKey() { return dir.resolve("client-rsa.key"); }

  /** The client certificate and PKCS#8 key in one PEM file. */
  public Path clientPem() { return dir.resolve("client.pem"); }

  /** The client certificate and key as PKCS#12, password {@link #STORE_PASSWORD}. */
  public Path clientP12() { return dir.resolve("client.p12"); }

  private void make() {
    try {
      Files.createDirectories(dir);
      ca("ca", "Sluice Test CA");
      ca("other-ca", "Some Other CA");
      run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
          "-out", "server.csr", "-subj", "/CN=localhost");
      sign("server.csr", "server.crt", "30", "subjectAltName=DNS:localhost,IP:127.0.0.1");
      sign("server.csr", "expired.crt", "-1", "subjectAltName=DNS:localhost,IP:127.0.0.1");
      sign("server.csr", "wrong-host.crt", "30", "subjectAltName=DNS:wrong.example.com");
      run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key",
          "-out", "client.csr", "-subj", "/CN=scorer");
      sign("client.csr", "client.crt", "30", "extendedKeyUsage=clientAuth");
      run("openssl", "rsa", "-in", "client.key", "-traditional", "-out", "client-rsa.key");
      Files.writeString(clientPem(), Files.readString(clientCert()) + Files.readString(clientKey()));
      run("openssl", "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key",
          "-passout", "pass:" + STORE_PASSWORD, "-out", "client.p12");
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      for (String type : List.of("PKCS12", "JKS")) {
        run(keytool, "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt",
            "-storetype", type, "-keystore", type.equals("JKS") ? "ca.jks" : "ca.p12",
            "-storepass", STORE_PASSWORD);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void ca(String name, String commonName) {
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        "-keyout", name + ".key", "-out", name + ".crt", "-subj", "/CN=" + commonName,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  }

  private void sign(String csr, String out, String days, String extension) {
    Path ext = dir.resolve(out + ".ext");
    try {
      Files.writeString(ext, extension + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run("openssl", "x509", "-req", "-in", csr, "-CA", "ca.crt", "-CAkey", "ca.key",
        "-set_serial", Long.toString(System.nanoTime() & Long.MAX_VALUE), "-days", days,
        "-extfile", ext.toString(), "-out", out);
  }

  private void run(String... argv) {
    List<String> command = new ArrayList<>(List.of(argv));
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
