package io.agstorage.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.DatabaseExtension;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The runnable examples against the real database: what scripts/example and scripts/demo --plot run. */
class ExamplesIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("examples").withEngine();

    @TempDir
    Path tmp;

    @Test
    void insertMetricsThenQueryDataReadsTheHourBack() {
        Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        long written = InsertMetrics.run(db.engine(), end);

        String printed = capture(() -> QueryData.run(db.engine(), end));

        assertThat(written).isPositive();
        assertThat(printed).contains("spread_bps{market=0x123abc}: 60 points").contains("order_latency_ms P99");
    }

    @Test
    void queryDataOnAnEmptySchemaSaysWhatToRunFirst() {
        String printed = capture(() -> QueryData.run(db.engine(), Instant.now()));

        assertThat(printed).contains("run scripts/example insert-metrics");
    }

    @Test
    void theDemoWithPlotWritesANonEmptyPngOfTwoChartsAndPrintsItsPath() throws Exception {
        Path file = tmp.resolve("plots/demo.png");

        String[] printed = new String[1];
        Path written = captureReturning(() -> Demo.run(db.config().build(), file), out -> printed[0] = out);

        assertThat(written).isEqualTo(file.toAbsolutePath());
        assertThat(Files.size(file)).isGreaterThan(10_000);
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(DemoPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(2 * DemoPlot.CHART_HEIGHT);
        assertThat(printed[0]).contains("plot: " + file.toAbsolutePath());
    }

    private static String capture(Runnable action) {
        String[] out = new String[1];
        captureReturning(
                () -> {
                    action.run();
                    return null;
                },
                text -> out[0] = text);
        return out[0];
    }

    private static <T> T captureReturning(
            java.util.function.Supplier<T> action, java.util.function.Consumer<String> out) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            return action.get();
        } finally {
            System.setOut(original);
            out.accept(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
