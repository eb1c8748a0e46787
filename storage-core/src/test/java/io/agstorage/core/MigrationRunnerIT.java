package io.agstorage.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.internal.schema.MigrationRunner;
import io.agstorage.core.testing.DatabaseExtension;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MigrationRunnerIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("migrate");

    @Test
    void concurrentRunnersApplyEachMigrationExactlyOnce() throws Exception {
        int runners = 4;
        CyclicBarrier start = new CyclicBarrier(runners);
        ExecutorService pool = Executors.newFixedThreadPool(runners);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < runners; i++) {
                Callable<Integer> run = () -> {
                    try (Connection c = db.connect()) {
                        start.await(10, TimeUnit.SECONDS);
                        return new MigrationRunner(db.schema()).migrate(c);
                    }
                };
                results.add(pool.submit(run));
            }
            int applied = 0;
            for (Future<Integer> r : results) {
                applied += r.get(60, TimeUnit.SECONDS);
            }
            assertThat(applied).isEqualTo(MigrationRunner.migrations().size());
        } finally {
            pool.shutdownNow();
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + db.schema() + ".schema_migrations"))
                .isEqualTo(MigrationRunner.migrations().size());
        assertThat(db.queryString(
                        "SELECT hypertable_name FROM timescaledb_information.hypertables WHERE hypertable_schema = '"
                                + db.schema() + "' AND hypertable_name = 'samples'"))
                .isEqualTo("samples");
    }

    @Test
    void secondRunIsANoOp() throws Exception {
        try (Connection c = db.connect()) {
            assertThat(new MigrationRunner(db.schema()).migrate(c)).isPositive();
            assertThat(new MigrationRunner(db.schema()).migrate(c)).isZero();
        }
    }

    @Test
    void cumulativeStateLeavesRoomInEachPageForHotUpdates() throws Exception {
        try (Connection c = db.connect()) {
            new MigrationRunner(db.schema()).migrate(c);
        }
        assertThat(db.queryString("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = '" + db.schema()
                        + ".cumulative_state'::regclass"))
                .as("every writer's batch updates each of its series' state rows (V012)")
                .isEqualTo("fillfactor=50");
    }

    @Test
    void anEditedReleasedMigrationIsRefused() throws Exception {
        try (Connection c = db.connect()) {
            new MigrationRunner(db.schema()).migrate(c);
        }
        db.execute("UPDATE " + db.schema() + ".schema_migrations SET checksum = 'abc' WHERE version = 1");

        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> new MigrationRunner(db.schema()).migrate(c))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("migration V001__metrics.sql was changed after it was applied to schema "
                            + db.schema() + " (checksum abc in the database, ");
        }
    }

    @Test
    void aDatabaseNewerThanThisReleaseIsRefused() throws Exception {
        try (Connection c = db.connect()) {
            new MigrationRunner(db.schema()).migrate(c);
        }
        db.execute("INSERT INTO " + db.schema()
                + ".schema_migrations (version, description, checksum, execution_ms) VALUES (999, 'future', 'x', 0)");

        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> new MigrationRunner(db.schema()).migrate(c))
                    .hasMessage("schema " + db.schema()
                            + " has migration version 999 applied, which this ag-storage release does not "
                            + "know; upgrade ag-storage");
        }
    }

    @Test
    void migrateFalseLeavesTheSchemaAlone() {
        StorageConfig config = db.config().setMigrate(false).build();
        try (StorageEngine engine = StorageEngine.create(config)) {
            assertThat(db.queryString("SELECT to_regclass('" + db.schema() + ".samples')"))
                    .isIn("", "null");
            engine.initSchemas();
            assertThat(db.queryString("SELECT to_regclass('" + db.schema() + ".samples')"))
                    .isEqualTo(db.schema() + ".samples");
        }
    }
}
