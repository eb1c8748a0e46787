package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agstorage.core.testing.DatabaseExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The fat jar, run as a user runs it: started with a config file, fed over OTLP/HTTP, stopped with SIGTERM. */
class OtlpReceiverMainIT {

    private static final Pattern STARTED =
            Pattern.compile("Started OtlpReceiver\\{grpc=127\\.0\\.0\\.1:(\\d+), http=127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("Started AdminServer\\{127\\.0\\.0\\.1:(\\d+), GET ");

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("otel_main");

    @Test
    void fatJarServesOtlpAndFlushesOnSigterm(@TempDir Path dir) throws Exception {
        Path jar = Files.list(Path.of("target"))
                .filter(p -> p.getFileName().toString().endsWith("-receiver.jar"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "target/*-receiver.jar missing: the shade plugin runs in the package phase"));
        Path config = dir.resolve("config.yaml");
        Files.writeString(
                config,
                "database:\n  url: \"" + db.url() + "\"\n  schema: " + db.schema() + "\n"
                        + "receiver:\n  host: 127.0.0.1\n  grpc_port: 0\n  http_port: 0\n  admin_port: 0\n"
                        + "  spool_directory: \""
                        + dir.resolve("spool") + "\"\n");
        Path log = dir.resolve("receiver.log");
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        java.util.function.Supplier<List<String>> output = () -> {
            try {
                return Files.readAllLines(log);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() ->
                            output.get().stream().anyMatch(l -> ADMIN.matcher(l).find()) || !process.isAlive());
            Matcher m = output.get().stream()
                    .map(STARTED::matcher)
                    .filter(Matcher::find)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("receiver did not start: " + output.get()));
            int httpPort = Integer.parseInt(m.group(2));
            var response = Requests.post(httpPort, Requests.request(Requests.gauge("main.gauge", 12.5)));
            assertThat(response.statusCode()).isEqualTo(200);
            Matcher admin = output.get().stream()
                    .map(ADMIN::matcher)
                    .filter(Matcher::find)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no admin port: " + output.get()));
            URI ready = URI.create("http://127.0.0.1:" + admin.group(1) + "/health/ready");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> HttpClient.newHttpClient()
                                    .send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString())
                                    .statusCode()
                            == 200);

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(output.get()).anyMatch(l -> l.contains("spool=" + dir.resolve("spool") + " (batch)"));
            assertThat(output.get()).anyMatch(l -> l.contains("Retention scheduler started on schema " + db.schema()));
            assertThat(output.get()).anyMatch(l -> l.contains("Shutting down: finishing requests in flight, flushing"));
            assertThat(output.get()).anyMatch(l -> l.contains("StorageEngine closed: 1 committed, 0 dropped"));
            assertThat(db.queryString(
                            "SELECT value FROM \"" + db.schema() + "\".metrics WHERE metric_name = 'main.gauge'"))
                    .isEqualTo("12.5");
        } finally {
            process.destroyForcibly();
        }
    }
}
