package io.agstorage.otlp.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Slowloris connections against an OTLP/HTTP port: half send their request headers one byte at a time and never end
 * them, half send whole headers announcing a 1 MB body and then drip the body one byte at a time. A connection the
 * receiver cuts (its request deadline) is opened again at once, as an attacker would.
 */
public final class Slowloris implements AutoCloseable {

    private static final String HEAD =
            "POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n";

    private final int port;
    private final ScheduledExecutorService dripper;
    private final List<Connection> connections = new ArrayList<>();
    private final AtomicInteger cut = new AtomicInteger();
    private final AtomicInteger bytesSent = new AtomicInteger();

    /**
     * Opens {@code count} connections to {@code port} on loopback and drips a byte on each every {@code interval}.
     */
    public Slowloris(int port, int count, Duration interval) throws IOException {
        this.port = port;
        this.dripper = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "slowloris");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < count; i++) {
            Connection c = new Connection(i, i % 2 == 1);
            connections.add(c);
            dripper.scheduleAtFixedRate(c::drip, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** How many times the receiver closed one of the connections (each was opened again). */
    public int cutConnections() {
        return cut.get();
    }

    /** Bytes dripped so far over all connections. */
    public int bytesSent() {
        return bytesSent.get();
    }

    @Override
    public void close() {
        dripper.shutdownNow();
        try {
            dripper.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(Connection::close);
    }

    private final class Connection {
        private final byte[] text;
        private final int headerEnd;
        private Socket socket;
        private int at;

        Connection(int n, boolean slowBody) throws IOException {
            String head = HEAD + "X-Slow-" + n + ": " + "a".repeat(4_000) + "\r\n";
            if (slowBody) {
                head += "Content-Length: 1000000\r\n\r\n";
                this.headerEnd = head.length();
                head += "b".repeat(1_000_000);
            } else {
                this.headerEnd = 0;
            }
            this.text = head.getBytes(StandardCharsets.US_ASCII);
            this.socket = open();
        }

        private Socket open() throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            at = 0;
            if (headerEnd > 0) {
                // The whole head at once, then the body byte by byte.
                s.getOutputStream().write(text, 0, headerEnd);
                s.getOutputStream().flush();
                at = headerEnd;
            }
            return s;
        }

        void drip() {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(text[at++ % text.length]);
                out.flush();
                bytesSent.incrementAndGet();
            } catch (IOException e) {
                cut.incrementAndGet();
                close();
                try {
                    socket = open();
                } catch (IOException again) {
                    // the port refuses new connections now: try again on the next tick
                }
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
