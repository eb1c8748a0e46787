package io.agstorage.otlp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away CA, a server certificate for 127.0.0.1 and localhost, a client certificate signed by the CA and one
 * signed by nobody, made with the JDK's keytool; each as PEM files (certificate, PKCS#8 key) and a PKCS12 store.
 */
public final class TestCertificates {

    private static final String PASS = "changeit";
    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    public static TestCertificates create(Path dir) throws IOException, GeneralSecurityException {
        TestCertificates c = new TestCertificates(dir);
        c.keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=h3-test-ca",
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                store("ca", dir));
        c.exportCert("ca");
        c.signed("server", "CN=localhost", "san=ip:127.0.0.1,dns:localhost");
        c.signed("client", "CN=good-client", null);
        c.keytool(
                "-genkeypair",
                "-alias",
                "rogue",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=rogue-client",
                "-validity",
                "2",
                "-keystore",
                store("rogue", dir));
        c.exportCert("rogue");
        for (String name : new String[] {"server", "client", "rogue"}) {
            c.exportKey(name);
        }
        return c;
    }

    private static String store(String name, Path dir) {
        return dir.resolve(name + ".p12").toString();
    }

    private void signed(String name, String dname, String san) throws IOException {
        keytool(
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                dname,
                "-validity",
                "2",
                "-keystore",
                store(name, dir));
        Path csr = dir.resolve(name + ".csr");
        keytool("-certreq", "-alias", name, "-keystore", store(name, dir), "-file", csr.toString());
        Path cert = dir.resolve(name + ".pem");
        List<String> gencert = new ArrayList<>(List.of(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                store("ca", dir),
                "-infile",
                csr.toString(),
                "-outfile",
                cert.toString(),
                "-rfc",
                "-validity",
                "2"));
        if (san != null) {
            gencert.addAll(List.of("-ext", san));
        }
        keytool(gencert.toArray(new String[0]));
        // The chain into the client's own store, so a JDK client presents the signed certificate.
        String chain = Files.readString(cert) + Files.readString(dir.resolve("ca.pem"));
        Path chainFile = dir.resolve(name + "-chain.pem");
        Files.writeString(chainFile, chain);
        keytool(
                "-importcert",
                "-alias",
                "ca",
                "-noprompt",
                "-file",
                dir.resolve("ca.pem").toString(),
                "-keystore",
                store(name, dir));
        keytool("-importcert", "-alias", name, "-file", chainFile.toString(), "-keystore", store(name, dir));
    }

    private void exportCert(String name) throws IOException {
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                name,
                "-keystore",
                store(name, dir),
                "-file",
                dir.resolve(name + ".pem").toString());
    }

    private void exportKey(String name) throws IOException, GeneralSecurityException {
        KeyStore ks = load(name);
        PrivateKey key = (PrivateKey) ks.getKey(name, PASS.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(dir.resolve(name + ".key"), pem);
    }

    private KeyStore load(String name) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(store(name, dir)))) {
            ks.load(in, PASS.toCharArray());
        }
        return ks;
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", PASS, "-keypass", PASS, "-storetype", "PKCS12"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public Path caCert() {
        return dir.resolve("ca.pem");
    }

    /** The PEM certificate of {@code server}, {@code client} or {@code rogue}. */
    public Path cert(String name) {
        return dir.resolve(name + ".pem");
    }

    /** The PEM PKCS#8 key of {@code server}, {@code client} or {@code rogue}. */
    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    /**
     * A client context trusting the test CA and, unless {@code clientName} is null, presenting that client's
     * certificate.
     */
    public SSLContext clientContext(String clientName) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", load("ca").getCertificate("ca"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientName != null) {
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            KeyStore ks = load(clientName);
            own.setKeyEntry(
                    clientName,
                    ks.getKey(clientName, PASS.toCharArray()),
                    PASS.toCharArray(),
                    ks.getCertificateChain(clientName));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(own, PASS.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
