package io.riskstream.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Key and trust stores for TLS tests, made with the JDK's own {@code keytool}: a server certificate
 * for {@code localhost}/{@code 127.0.0.1}, a client certificate for mutual TLS, and one trust store
 * holding both (each side trusts the other's self-signed certificate). PKCS12, one password.
 */
public record TlsFiles(Path serverKeystore, Path clientKeystore, Path truststore, String password) {

  /** Generates the three stores in {@code dir}. */
  public static TlsFiles generate(Path dir) throws IOException, InterruptedException {
    String password = "tls-test-" + Long.toHexString(System.nanoTime());
    TlsFiles files =
        new TlsFiles(
            dir.resolve("server.p12"),
            dir.resolve("client.p12"),
            dir.resolve("truststore.p12"),
            password);
    files.keyPair("server", "CN=localhost", files.serverKeystore, "dns:localhost,ip:127.0.0.1");
    files.keyPair("client", "CN=riskstream", files.clientKeystore, null);
    files.trust("server", files.serverKeystore, dir.resolve("server.crt"));
    files.trust("client", files.clientKeystore, dir.resolve("client.crt"));
    return files;
  }

  private void keyPair(String alias, String name, Path keystore, String subjectAltNames)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                name,
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                password,
                "-keypass",
                password));
    if (subjectAltNames != null) {
      args.addAll(List.of("-ext", "SAN=" + subjectAltNames));
    }
    keytool(args);
  }

  private void trust(String alias, Path keystore, Path certificate)
      throws IOException, InterruptedException {
    keytool(
        List.of(
            "-exportcert",
            "-alias",
            alias,
            "-keystore",
            keystore.toString(),
            "-storepass",
            password,
            "-file",
            certificate.toString()));
    keytool(
        List.of(
            "-importcert",
            "-noprompt",
            "-alias",
            alias,
            "-file",
            certificate.toString(),
            "-keystore",
            truststore.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            password));
  }

  private static void keytool(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IOException("keytool " + args.get(0) + " failed: " + out);
    }
  }
}
