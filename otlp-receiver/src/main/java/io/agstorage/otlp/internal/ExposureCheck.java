package io.agstorage.otlp.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up rule for who may write: on a loopback address anything goes; on any other address the receiver needs a
 * bearer token or client-certificate TLS, unless {@code receiver.allow_unauthenticated: true} accepts an open port on
 * purpose. A bearer token without TLS travels in clear text: allowed, with a warning.
 */
public final class ExposureCheck {

    private static final Logger log = LoggerFactory.getLogger(ExposureCheck.class);

    private ExposureCheck() {}

    /**
     * @throws IllegalArgumentException when {@code host} is not loopback and nothing authenticates clients
     */
    public static void check(
            String host, boolean bearerToken, boolean tls, boolean clientCertificates, boolean allowUnauthenticated) {
        boolean loopback = isLoopback(host);
        if (!loopback && !bearerToken && !clientCertificates) {
            if (!allowUnauthenticated) {
                throw new IllegalArgumentException("receiver.host " + host + " is not a loopback address, and neither "
                        + "receiver.bearer_token nor receiver.tls_client_ca is set: anyone who reaches the port could "
                        + "write metrics. Set one of them, bind 127.0.0.1, or set receiver.allow_unauthenticated: true "
                        + "to accept that on purpose");
            }
            log.warn(
                    "OTLP receiver on {} accepts unauthenticated clients (receiver.allow_unauthenticated: true)", host);
        }
        if (bearerToken && !tls) {
            log.warn(
                    "OTLP receiver on {}: the bearer token travels in clear text without TLS "
                            + "(set receiver.tls_cert and receiver.tls_key)",
                    host);
        }
    }

    /** True for a loopback address or a name resolving only to one ({@code localhost}). */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
