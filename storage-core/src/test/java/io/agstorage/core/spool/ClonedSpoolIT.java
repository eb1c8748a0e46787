package io.agstorage.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.MetricSeries;
import io.agstorage.core.SampleBatch;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.StorageException;
import io.agstorage.core.journal.SyncPolicy;
import io.agstorage.core.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two spools with one id (a copied spool directory) would each take the other's committed position for their own and
 * skip batches without a word: a copy is refused at open, loudly, and a clash that gets past that (an id file written
 * by an older version, which names no directory) is logged and its batches written, never dropped.
 */
class ClonedSpoolIT {

    private static final long T0 = 1_775_000_000_000_000L;

    private final TestDatabase db = TestDatabase.apache();
    private String schema;

    @TempDir
    Path tmp;

    @BeforeEach
    void schema() {
        schema = TestDatabase.uniqueSchema("spool_clone");
    }

    @AfterEach
    void drop() {
        db.dropSchema(schema);
    }

    @Test
    void aClonedSpoolIdIsReportedNotSilentlyDropped() throws Exception {
        Path original = tmp.resolve("original");
        Path copy = tmp.resolve("copy");
        try (StorageEngine engine = StorageEngine.create(db.config(schema).build())) {
            MetricSeries s = engine.series("cloned", Map.of("k", "v"));
            try (SampleSpool spool = SampleSpool.open(engine, original, SyncPolicy.BATCH)) {
                spool.trySpool(batch(s, 0, 2)).committed().get(10, TimeUnit.SECONDS);
            }
            copyDirectory(original, copy);
            assertThatThrownBy(() -> SampleSpool.open(engine, copy, SyncPolicy.BATCH))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("a copy of a spool directory?")
                    .hasMessageContaining("is not opened");

            // An id file of an older version names no directory: the copy opens, and the clash shows at commit time.
            Path legacy = tmp.resolve("legacy");
            Files.createDirectories(legacy);
            String id =
                    Files.readAllLines(original.resolve(SampleSpool.ID_FILE)).get(0);
            Files.writeString(legacy.resolve(SampleSpool.ID_FILE), id + "\n", StandardCharsets.US_ASCII);
            try (SampleSpool first = SampleSpool.open(engine, original, SyncPolicy.BATCH);
                    SampleSpool clone = SampleSpool.open(engine, legacy, SyncPolicy.BATCH)) {
                assertThat(clone.id()).isEqualTo(first.id());
                first.trySpool(batch(s, 1, 3)).committed().get(10, TimeUnit.SECONDS);
                // The same record sequence with fewer entries: a position behind the one the database holds.
                clone.trySpool(batch(s, 2, 1)).committed().get(10, TimeUnit.SECONDS);
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM " + schema + ".samples"))
                .as("every batch of both spools is stored")
                .isEqualTo(2 + 3 + 1);
    }

    private static void copyDirectory(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().endsWith(".lock")) {
                    Files.copy(f, target);
                }
            }
        }
    }

    private static SampleBatch batch(MetricSeries s, int record, int n) {
        SampleBatch b = new SampleBatch(n);
        for (int i = 0; i < n; i++) {
            b.add(s, T0 + record * 100L + i, i);
        }
        return b;
    }
}
