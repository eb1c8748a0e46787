package io.agstorage.core.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.TimescaleTier;
import io.agstorage.core.retention.RetentionReport.RollupRefresh;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RetentionReportTest {

    private static RetentionReport report(int chunks, long rows, long rollupRows, int compressed) {
        return new RetentionReport(
                Instant.EPOCH,
                Duration.ofMillis(12),
                TimescaleTier.APACHE,
                List.of(
                        new TableRetention("samples", 90, chunks, rows, Duration.ZERO),
                        new TableRetention("histograms", 90, 0, 0, Duration.ZERO)),
                List.of(
                        new RollupRefresh("metrics_hourly", "incremental", OptionalLong.of(rollupRows), Duration.ZERO),
                        new RollupRefresh("metrics_daily", "refresh policy", OptionalLong.empty(), Duration.ZERO)),
                compressed,
                "reason");
    }

    @Test
    void aRunThatDroppedWroteAndCompressedNothingIsANoOp() {
        assertThat(report(0, 0, 0, 0).isNoOp()).isTrue();
        assertThat(report(1, 10, 0, 0).isNoOp()).isFalse();
        assertThat(report(0, 0, 3, 0).isNoOp()).isFalse();
        assertThat(report(0, 0, 0, 2).isNoOp()).isFalse();
    }

    @Test
    void totalsAndTheSummaryLineAddUpThePerTableFigures() {
        RetentionReport report = report(3, 4_320, 72, 0);

        assertThat(report.totalChunksDropped()).isEqualTo(3);
        assertThat(report.totalRowsRemoved()).isEqualTo(4_320);
        assertThat(report.totalRollupRowsWritten()).isEqualTo(72);
        assertThat(report.summary())
                .isEqualTo("dropped 3 chunks (4320 rows) samples=3/4320; rollups metrics_hourly=72 rows "
                        + "metrics_daily=refreshed; compressed 0 chunks (compression unavailable: APACHE "
                        + "edition); 12 ms");
    }

    @Test
    void theCompressionRatioIsMeasuredOrAbsentNeverMadeUp() {
        CompressionStatus unavailable = CompressionStatus.unavailable("Apache edition");
        assertThat(unavailable.compressionRatio()).isEmpty();
        assertThat(unavailable.describe()).isEqualTo("compression unavailable: Apache edition");

        CompressionStatus nothingYet = new CompressionStatus(
                true, null, List.of(new CompressionStatus.TableCompression("samples", true, 10, 0, 0, 0)));
        assertThat(nothingYet.compressionRatio()).isEmpty();

        CompressionStatus measured = new CompressionStatus(
                true,
                null,
                List.of(
                        new CompressionStatus.TableCompression("samples", true, 10, 4, 4_000_000, 400_000),
                        new CompressionStatus.TableCompression("histograms", true, 10, 2, 1_000_000, 100_000)));
        assertThat(measured.compressionRatio()).hasValue(10.0);
        assertThat(measured.chunksCompressed()).isEqualTo(6);
        assertThat(measured.describe()).isEqualTo("6 of 20 chunks compressed, 5000000 -> 500000 bytes (ratio 10.00)");
        assertThat(measured.bytesPerSampleAfter()).as("rows not counted").isEmpty();

        CompressionStatus perSample = new CompressionStatus(
                true,
                null,
                List.of(
                        new CompressionStatus.TableCompression("samples", true, 10, 4, 4_000_000, 400_000, 40_000),
                        new CompressionStatus.TableCompression("histograms", true, 10, 2, 1_000_000, 100_000, 10_000)));
        assertThat(perSample.bytesPerSampleBefore()).hasValue(100.0);
        assertThat(perSample.bytesPerSampleAfter()).hasValue(10.0);
        assertThat(perSample.describe())
                .isEqualTo("6 of 20 chunks compressed, 5000000 -> 500000 bytes (ratio 10.00), 100.0 -> 10.0 bytes per "
                        + "sample");
    }
}
