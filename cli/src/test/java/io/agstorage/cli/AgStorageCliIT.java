package io.agstorage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.MetricPoint;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.testing.DatabaseExtension;
import io.agstorage.execution.ExecutionStore;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.Side;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every command of the command line, run in-process against the real database. */
class AgStorageCliIT {

    @RegisterExtension
    static final DatabaseExtension db = DatabaseExtension.apache("cli");

    @TempDir
    Path tmp;

    /** What one command line printed and returned. */
    record Result(int status, String out, String err) {}

    private Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--url", db.url(), "--schema", db.schema()));
        all.addAll(List.of(args));
        return runRaw(all.toArray(String[]::new));
    }

    private static Result runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = AgStorageCli.run(args, new PrintWriter(out), new PrintWriter(err), Map.of());
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void migrateAppliesEveryMigrationAndInfoListsThemWithTheTierAndTableSizes() {
        Result migrate = run("migrate");
        assertThat(migrate.status()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("schema " + db.schema() + ":").contains("migrations applied");

        Result info = run("info");
        assertThat(info.status()).as(info.err()).isZero();
        assertThat(info.out())
                .contains("server:      PostgreSQL")
                .contains("tier:        ")
                .contains("TimescaleDB")
                .contains("V001 ")
                .contains("samples")
                .contains("fills")
                .contains("compression: ");
    }

    @Test
    void exportFillsStreamsAHeaderAndTheRowsOfTheRangeOnly() throws Exception {
        assertThat(run("migrate").status()).isZero();
        Instant t = Instant.parse("2026-11-30T10:00:00Z");
        try (StorageEngine engine = StorageEngine.create(config());
                ExecutionStore store = ExecutionStore.builder()
                        .storageEngine(engine)
                        .journalDirectory(tmp.resolve("journal"))
                        .syncPolicy(SyncPolicy.BATCH)
                        .build()) {
            Order order = Order.of("polymarket", "0xabc", Side.BUY, OrderType.MARKET, new BigDecimal("100"));
            store.storeOrder(order);
            store.storeFill(Fill.of(order, "in-range", new BigDecimal("0.5"), new BigDecimal("40"))
                    .withTradeTime(t));
            store.storeFill(Fill.of(order, "too-late", new BigDecimal("0.6"), new BigDecimal("60"))
                    .withTradeTime(t.plusSeconds(86_400)));
            store.flush();
        }

        Result export = run("export", "fills", "--from", "2026-11-30", "--to", "2026-12-01", "--format", "csv");

        assertThat(export.status()).as(export.err()).isZero();
        List<String> lines = export.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("venue_trade_time").contains("venue");
        assertThat(lines.get(1)).contains("in-range").contains("polymarket");
        assertThat(export.err()).contains("exported 1 fills");

        LocalDate today = LocalDate.now(ZoneOffset.UTC); // orders are kept by their creation time: now
        Result orders = run(
                "export",
                "orders",
                "--from",
                today.toString(),
                "--to",
                today.plusDays(1).toString());
        assertThat(orders.status()).as(orders.err()).isZero();
        assertThat(orders.out().lines().toList()).hasSize(2).last().asString().contains("0xabc");
    }

    @Test
    void exportMetricsFiltersByMetricNameWithoutSplicingItIntoSql() {
        assertThat(run("migrate").status()).isZero();
        Instant t = Instant.parse("2026-11-30T10:00:00Z");
        try (StorageEngine engine = StorageEngine.create(config())) {
            engine.insertMetricsBatch(List.of(
                    MetricPoint.of("spread_bps", 5).withLabel("market", "a").at(t),
                    MetricPoint.of("queue_depth", 7).at(t),
                    MetricPoint.of("x'); DROP TABLE fills; --", 1).at(t)));
        }

        Result spread =
                run("export", "metrics", "--from", "2026-11-30", "--to", "2026-12-01", "--metric", "spread_bps");
        Result hostile = run(
                "export",
                "metrics",
                "--from",
                "2026-11-30",
                "--to",
                "2026-12-01",
                "--metric",
                "x'); DROP TABLE fills; --");

        assertThat(spread.status()).as(spread.err()).isZero();
        assertThat(spread.out().lines().toList()).hasSize(2).last().asString().contains("spread_bps");
        assertThat(hostile.status()).as(hostile.err()).isZero();
        assertThat(hostile.out().lines().toList()).hasSize(2);
        assertThat(run("export", "fills", "--from", "2026-11-30", "--to", "2026-12-01")
                        .status())
                .as("fills still exists")
                .isZero();
    }

    @Test
    void retentionRunAndRollupsRefreshReportWhatTheyDid() {
        assertThat(run("migrate").status()).isZero();

        Result retention = run("retention", "run");
        Result rollups = run("rollups", "refresh", "--from", "2026-11-28", "--to", "2026-11-30T12:00:00Z");

        assertThat(retention.status()).as(retention.err()).isZero();
        assertThat(retention.out()).contains("retention (").contains("samples").contains("compression:");
        assertThat(rollups.status()).as(rollups.err()).isZero();
        assertThat(rollups.out()).contains("3 days");
        assertThat(rollups.err()).contains("rollups [").contains("3/3 days");
    }

    @Test
    void validateConfigPrintsTheBoundConfigWithThePasswordMasked() throws Exception {
        Path good = Files.writeString(
                tmp.resolve("good.yaml"), "database:\n  url: jdbc:postgresql://db:5432/bot\n  password: s3cret\n");
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "ingestion:\n  batch_size: -1\n");
        Path badReceiver = Files.writeString(
                tmp.resolve("bad-receiver.yaml"), "receiver:\n  http_port: 4318\n  admin_port: 70000\n");

        Result ok = runRaw("validate-config", good.toString());
        Result refused = runRaw("validate-config", bad.toString());
        Result refusedReceiver = runRaw("validate-config", badReceiver.toString());

        assertThat(ok.status()).as(ok.err()).isZero();
        assertThat(ok.out())
                .startsWith("valid: ")
                .contains("jdbc:postgresql://db:5432/bot")
                .doesNotContain("s3cret");
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).contains("ingestion.batch_size must be > 0, was -1");
        assertThat(refusedReceiver.status()).isEqualTo(2);
        assertThat(refusedReceiver.err()).contains("receiver.admin_port must be between -1 (off) and 65535, was 70000");
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheOption() {
        Result badTime = run("export", "fills", "--from", "yesterday", "--to", "2026-12-01");
        Result reversed = run("export", "orders", "--from", "2026-12-02", "--to", "2026-12-01");
        Result unknown = run("export", "positions", "--from", "2026-12-01", "--to", "2026-12-02");

        assertThat(badTime.status()).isEqualTo(2);
        assertThat(badTime.err()).contains("--from").contains("was 'yesterday'");
        assertThat(reversed.status()).isEqualTo(2);
        assertThat(reversed.err()).contains("--from must be before --to");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("positions");
    }

    private StorageConfig config() {
        return db.config().setMigrate(false).build();
    }
}
