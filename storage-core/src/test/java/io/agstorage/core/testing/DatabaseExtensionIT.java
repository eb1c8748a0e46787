package io.agstorage.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.StorageEngine;
import org.junit.jupiter.api.Test;

/**
 * The fixture itself, its callbacks driven by hand as JUnit drives them (they read nothing from the context): a
 * schema of its own, an engine on it, and nothing left behind.
 */
class DatabaseExtensionIT {

    private static boolean exists(DatabaseExtension db, String schema) {
        return db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'") == 1;
    }

    @Test
    void aTestScopedFixtureStartsItsEngineOnItsSchemaAndDropsEverythingAfterTheTest() {
        DatabaseExtension db = DatabaseExtension.apache("ext_test").withEngine(b -> b.setMaxConnections(2));
        db.beforeEach(null);
        StorageEngine engine = db.engine();
        String extra = db.newSchema("ext_extra");
        db.execute("CREATE SCHEMA \"" + extra + "\"");

        assertThat(engine.config().schema()).isEqualTo(db.schema()).startsWith("ext_test_");
        assertThat(engine.config().maxConnections()).isEqualTo(2);
        assertThat(db.queryString("SELECT to_regclass('" + db.table("samples") + "')"))
                .isEqualTo(db.schema() + ".samples");

        db.afterEach(null);

        assertThat(engine.isClosed()).isTrue();
        assertThat(exists(db, db.schema())).isFalse();
        assertThat(exists(db, extra)).isFalse();
    }

    @Test
    void aClassScopedFixtureKeepsItsSchemaAcrossTestsAndDropsItAfterTheClass() {
        DatabaseExtension db = DatabaseExtension.apache("ext_class").withEngine();
        db.beforeAll(null);
        StorageEngine engine = db.engine();
        db.beforeEach(null);
        db.afterEach(null);

        assertThat(db.engine()).isSameAs(engine);
        assertThat(engine.isClosed()).isFalse();
        assertThat(exists(db, db.schema())).isTrue();

        db.afterAll(null);

        assertThat(engine.isClosed()).isTrue();
        assertThat(exists(db, db.schema())).isFalse();
    }

    @Test
    void aReplacedEngineIsClosedInTurnAndEveryFixtureHasItsOwnSchema() {
        DatabaseExtension db = DatabaseExtension.apache("ext_replace").withEngine();
        DatabaseExtension other = DatabaseExtension.apache("ext_replace");
        db.beforeEach(null);
        StorageEngine first = db.engine();

        StorageEngine second = db.replaceEngine(b -> b.setMaxConnections(3));

        assertThat(first.isClosed()).isTrue();
        assertThat(db.engine()).isSameAs(second);
        assertThat(second.config().maxConnections()).isEqualTo(3);
        assertThat(other.schema()).isNotEqualTo(db.schema());
        db.afterEach(null);
        assertThat(second.isClosed()).isTrue();
    }

    @Test
    void askingForAnEngineThatWasNotRequestedFailsWithTheRemedy() {
        DatabaseExtension db = DatabaseExtension.apache("ext_none");
        db.beforeEach(null);
        try {
            assertThatThrownBy(db::engine)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("no engine on schema " + db.schema() + ": register the extension withEngine(), "
                            + "and use the engine between set-up and tear-down");
        } finally {
            db.afterEach(null);
        }
    }
}
