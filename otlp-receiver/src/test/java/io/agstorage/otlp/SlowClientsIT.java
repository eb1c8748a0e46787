package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.otlp.testing.GoodClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slow and greedy clients against the OTLP/HTTP endpoint: slowloris, a header flood, idle connections, more connections
 * than the cap, more request bytes than the receiver holds at once. Each time a well-behaved SDK client still exports.
 */
class SlowClientsIT {

    private static final String HEAD =
            "POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "Content-Type: application/x-protobuf\r\n";

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_slow").withEngine();

    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService dripper = Executors.newScheduledThreadPool(2);
    private OtlpReceiver receiver;

    private void start(ConnectionLimits.Builder limits) {
        receiver = OtlpReceiver.builder()
                .setEngine(db.engine())
                .setGrpcPort(-1)
                .setHttpPort(0)
                .setConnectionLimits(limits.build())
                .start();
    }

    @AfterEach
    void stop() throws IOException {
        dripper.shutdownNow();
        for (Socket s : sockets) {
            s.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", receiver.httpPort());
        s.setSoTimeout(15_000);
        sockets.add(s);
        return s;
    }

    private boolean goodClientExports() {
        try (GoodClient good = new GoodClient(receiver.httpPort(), 10, Duration.ofSeconds(10))) {
            return good.export();
        }
    }

    /** Sends {@code text} one byte every 100 ms, as a slowloris does, until the connection is closed. */
    private void drip(Socket socket, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int[] at = {0};
        dripper.scheduleAtFixedRate(
                () -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        out.write(bytes[at[0]++ % bytes.length]);
                        out.flush();
                    } catch (IOException e) {
                        throw new IllegalStateException("closed", e); // stops this drip
                    }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
    }

    @Test
    void sixteenSlowlorisConnectionsAreCutAtTheRequestDeadlineWhileAGoodClientExports() throws Exception {
        start(ConnectionLimits.builder().setRequestTimeout(Duration.ofSeconds(2)));
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket s = connect();
            drip(s, HEAD + "X-Slow-" + i + ": " + "a".repeat(10_000) + "\r\n");
            slow.add(s);
        }
        assertThat(goodClientExports())
                .as("a good client's export while 16 slowloris connections are open")
                .isTrue();
        long start = System.nanoTime();
        for (Socket s : slow) {
            String answer = readAnswer(s);
            assertThat(answer).startsWith("HTTP/1.1 408");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(goodClientExports()).isTrue();
    }

    @Test
    void aHeaderFloodIsAnswered431AndTheConnectionClosed() throws Exception {
        start(ConnectionLimits.builder().setMaxHeaderBytes(4096));
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        StringBuilder flood = new StringBuilder(HEAD);
        for (int i = 0; i < 1000; i++) {
            flood.append("X-Flood-")
                    .append(i)
                    .append(": ")
                    .append("b".repeat(40))
                    .append("\r\n");
        }
        try {
            out.write(flood.append("Content-Length: 0\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException closedWhileWriting) {
            // the receiver answered and closed before the whole flood was sent; the answer is still readable
        }
        String answer = readAnswer(s);
        assertThat(answer).startsWith("HTTP/1.1 431");
        assertThat(answer).contains("request headers must be at most 4096 bytes (receiver.max_header_bytes)");
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        assertThat(goodClientExports()).isTrue();
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        start(ConnectionLimits.builder().setIdleTimeout(Duration.ofSeconds(1)));
        Socket s = connect();
        long start = System.nanoTime();
        assertThat(s.getInputStream().read()).as("end of stream").isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(goodClientExports()).isTrue();
    }

    @Test
    void connectionsPastTheCapAreClosedAtOnceAndServedAgainOnceOthersClose() throws Exception {
        start(ConnectionLimits.builder().setMaxConnections(8));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            held.add(connect());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Socket ninth = connect();
            assertThat(ninth.getInputStream().read())
                    .as("the ninth connection is closed")
                    .isEqualTo(-1);
        });
        for (Socket s : held) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(this::goodClientExports);
    }

    @Test
    void requestBytesPastTheInFlightCapAreAnswered503UntilTheHolderTimesOut() throws Exception {
        start(ConnectionLimits.builder().setMaxInFlightBytes(64 * 1024).setRequestTimeout(Duration.ofSeconds(3)));
        // A greedy client sends 60 KiB of a 1 MiB body and stalls: its bytes are held.
        Socket greedy = connect();
        OutputStream out = greedy.getOutputStream();
        out.write((HEAD + "Content-Length: 1048576\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[60 * 1024]);
        out.flush();
        Socket second = connect();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            OutputStream o = second.getOutputStream();
            o.write((HEAD + "Content-Length: 16384\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.write(new byte[16 * 1024]);
            o.flush();
        });
        String answer = readAnswer(second);
        assertThat(answer).startsWith("HTTP/1.1 503");
        assertThat(answer).contains("Retry-After: 1");
        assertThat(answer).contains("the receiver holds 65536 request bytes already (receiver.max_in_flight_bytes)");
        assertThat(readAnswer(greedy)).startsWith("HTTP/1.1 408");
        assertThat(goodClientExports()).isTrue();
    }

    /** The status line, headers and body of one answer, read until the connection closes or the body is complete. */
    private static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                answer.write(buf, 0, n);
                String text = answer.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end > 0 && answer.size() >= end + 4 + contentLength(text.substring(0, end))) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError(
                    "no answer within 15 s, got '" + answer.toString(StandardCharsets.ISO_8859_1) + "'", e);
        } catch (IOException reset) {
            if (answer.size() == 0) {
                throw new AssertionError("connection reset without an answer", reset);
            }
        }
        return answer.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }
}
