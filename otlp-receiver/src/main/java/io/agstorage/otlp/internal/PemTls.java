package io.agstorage.otlp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * An {@link SSLContext} from a PEM certificate chain and a PEM PKCS#8 private key (RSA or EC), as the Collector takes
 * them, and with a PEM file of CA certificates, one that requires client certificates signed by them (mutual TLS).
 */
public final class PemTls {

    private PemTls() {}

    public static SSLContext serverContext(Path certChain, Path privateKey) {
        return serverContext(certChain, privateKey, null);
    }

    /** With {@code clientCa} set, trusts client certificates signed by the CA certificates in that PEM file. */
    public static SSLContext serverContext(Path certChain, Path privateKey, @Nullable Path clientCa) {
        try {
            Collection<? extends Certificate> chain;
            try (InputStream in = Files.newInputStream(certChain)) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(
                        "tls cert file " + certChain + " must hold a PEM certificate, held none");
            }
            PrivateKey key = readKey(privateKey);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("receiver", key, password, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), clientCa == null ? null : trustManagers(clientCa), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot load TLS certificate " + certChain + " and key " + privateKey + ": " + e.getMessage(), e);
        }
    }

    private static javax.net.ssl.TrustManager[] trustManagers(Path clientCa)
            throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> cas;
        try (InputStream in = Files.newInputStream(clientCa)) {
            cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (cas.isEmpty()) {
            throw new IllegalArgumentException(
                    "receiver.tls_client_ca file " + clientCa + " must hold PEM CA certificates, held none");
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate ca : cas) {
            trust.setCertificateEntry("client-ca-" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(
                    "tls key file " + file + " must hold a PEM PKCS#8 key (-----BEGIN PRIVATE KEY-----); "
                            + "convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
