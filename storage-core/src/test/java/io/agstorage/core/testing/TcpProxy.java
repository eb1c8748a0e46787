package io.agstorage.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder in front of the real database, to cut the network and restore it: while cut,
 * every open connection is reset and new ones are closed at once, as during a database restart. While stalled,
 * connections stay open and new ones are accepted, but no byte moves either way until {@link #restore()}, as when
 * the network hangs without resetting anything.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean up = true;
    private volatile boolean swallowResponses;
    private volatile boolean stalled;
    /** Connections {@link #stallOpenConnections()} froze: both sockets of each, held until closed. */
    private final Set<Socket> stalledForGood = ConcurrentHashMap.newKeySet();

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy in front of the host and port of a {@code jdbc:postgresql://host:port/...} URL. */
    public static TcpProxy forJdbcUrl(String url) throws IOException {
        String hostPort = url.substring("jdbc:postgresql://".length(), url.indexOf('/', "jdbc:postgresql://".length()));
        int colon = hostPort.lastIndexOf(':');
        return new TcpProxy(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** {@code url} with its host and port replaced by this proxy's. */
    public String proxiedUrl(String url) {
        int start = "jdbc:postgresql://".length();
        return "jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + url.substring(url.indexOf('/', start));
    }

    public void cut() {
        up = false;
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    public void restore() {
        up = true;
        swallowResponses = false;
        synchronized (this) {
            stalled = false;
            notifyAll();
        }
    }

    /** From now on forwards nothing either way (bytes wait in the sockets' buffers) until {@link #restore()}. */
    public void stall() {
        stalled = true;
    }

    /**
     * The connections open now forward nothing ever again, either way, and are never reset (their bytes are read and
     * kept, so the peers' writes succeed); connections opened later work. As when a NAT or firewall on the path loses
     * the state of the connections it carried and silently drops their packets: only a timeout on the client tells.
     */
    public void stallOpenConnections() {
        stalledForGood.addAll(sockets);
    }

    /**
     * Holds a pump while stalled; returns false, delivering nothing, when the connection is closed meanwhile (by
     * {@link #cut()}): bytes held by a stall are lost with a reset, never delivered late.
     */
    private boolean awaitUnstalled(Socket from) throws IOException {
        synchronized (this) {
            while ((stalled || stalledForGood.contains(from)) && !from.isClosed()) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while stalled", e);
                }
            }
            return !from.isClosed();
        }
    }

    /**
     * From now on drops what the server sends to the client while still forwarding the client's bytes: a request in
     * flight is carried out and its answer lost, as when the network fails right after a COMMIT reached the server.
     */
    public void swallowResponses() {
        swallowResponses = true;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (!up) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean response) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            if (!awaitUnstalled(from)) {
                                break;
                            }
                            if (!(response && swallowResponses)) {
                                out.write(buffer, 0, n);
                            }
                        }
                    } catch (IOException ignored) {
                        // the other side went away, or cut() closed us
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        stalledForGood.remove(from);
                    }
                },
                "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        server.close();
    }
}
