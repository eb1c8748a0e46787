package io.agstorage.core.internal.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.MetricType;
import io.agstorage.core.StorageEngine;
import io.agstorage.core.internal.SeriesRef;
import io.agstorage.core.internal.SeriesRegistry;
import io.agstorage.core.testing.DatabaseExtension;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Resolving series ids: one row per series, and {@code seen_at} moved forward for the series a writer holds. */
class SeriesResolverIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("resolver");

    private static SeriesRef ref(String metric) {
        // a registry of its own: two references to one series, as after an eviction from the registry
        return new SeriesRegistry().intern(metric, Map.of("k", "v"), MetricType.GAUGE, null, null);
    }

    @Test
    void twoReferencesToOneSeriesInOneResolveGetItsIdAndMoveSeenAtOnce() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build());
                Connection c = engine.dataSource().getConnection()) {
            SeriesResolver resolver = new SeriesResolver(engine.quotedSchema(), true);
            SeriesRef first = ref("dup");
            resolver.resolve(c, List.of(first));
            db.execute("UPDATE " + db.table("series") + " SET seen_at = now() - INTERVAL '2 days'");

            SeriesRef a = ref("dup");
            SeriesRef b = ref("dup");
            SeriesRef other = ref("other");
            resolver.resolve(c, List.of(b, other, a));

            assertThat(a.id()).isEqualTo(first.id()).isEqualTo(b.id());
            assertThat(other.id()).isPositive().isNotEqualTo(a.id());
            assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series")))
                    .isEqualTo(2);
            assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series")
                            + " WHERE seen_at > now() - INTERVAL '1 minute'"))
                    .isEqualTo(2);
        }
    }

    @Test
    void seriesNewToTheEngineAreCreatedByCopyWithTheIdsTheDatabaseHolds() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build());
                Connection c = engine.dataSource().getConnection()) {
            SeriesResolver resolver = new SeriesResolver(engine.quotedSchema(), true);
            SeriesRegistry registry = new SeriesRegistry();
            SeriesRef a = registry.intern("copied", Map.of("k", "a"), MetricType.COUNTER, "bytes", "delta");
            SeriesRef b = registry.intern("copied", Map.of("k", "b\t\"\\ é"), MetricType.GAUGE, null, null);
            assertThat(a.newToEngine()).isTrue();

            resolver.resolve(c, List.of(b, a));

            assertThat(db.queryLong("SELECT id FROM " + db.table("series") + " WHERE labels = '{\"k\": \"a\"}' "
                            + "AND type = 'counter' AND unit = 'bytes' AND temporality = 'delta'"))
                    .isEqualTo(a.id());
            assertThat(db.queryLong("SELECT id FROM " + db.table("series")
                            + " WHERE labels ->> 'k' = E'b\\t\"\\\\ é' AND unit IS NULL"))
                    .isEqualTo(b.id());
            assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series")))
                    .isEqualTo(2);
        }
    }

    @Test
    void aSeriesAnotherWriterCreatedSinceTheEngineStartedIsFoundNotDoubled() throws Exception {
        try (StorageEngine engine = StorageEngine.create(db.config().build());
                Connection c = engine.dataSource().getConnection()) {
            SeriesResolver resolver = new SeriesResolver(engine.quotedSchema(), true);
            SeriesRef elsewhere = ref("shared");
            resolver.resolve(c, List.of(elsewhere)); // "another JVM": a registry of its own

            SeriesRef mine = ref("shared");
            SeriesRef brandNew = ref("brand_new");
            assertThat(mine.newToEngine()).isTrue(); // this registry's budget never saw it
            resolver.resolve(c, List.of(mine, brandNew));

            assertThat(mine.id()).isEqualTo(elsewhere.id());
            assertThat(brandNew.id()).isPositive().isNotEqualTo(mine.id());
            assertThat(db.queryLong("SELECT count(*) FROM " + db.table("series")))
                    .isEqualTo(2);
        }
    }
}
