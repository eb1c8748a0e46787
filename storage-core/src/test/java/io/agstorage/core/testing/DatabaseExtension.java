package io.agstorage.core.testing;

import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The database fixture of an integration test: a unique schema on a real {@link TestDatabase}, optionally a
 * {@link StorageEngine} on it, and the schema dropped afterwards. Register it with
 * {@link org.junit.jupiter.api.extension.RegisterExtension @RegisterExtension}:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final DatabaseExtension db = DatabaseExtension.apache("exec_it").withEngine(); // one schema per class
 *
 * @RegisterExtension
 * final DatabaseExtension db = DatabaseExtension.apache("bad").withEngine();            // one schema per test
 * }</pre>
 *
 * <p>A {@code static} field lives for the test class (set up before {@code @BeforeAll}, torn down after
 * {@code @AfterAll}); an instance field lives for one test (set up before {@code @BeforeEach}, torn down after
 * {@code @AfterEach}), so a test's own {@code @AfterEach} still sees the engine and the schema. A missing
 * {@code AG_STORAGE_TEST_URL} fails the test with instructions; it never skips.
 */
public final class DatabaseExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final Supplier<TestDatabase> source;
    private final String schema;
    private final List<String> extraSchemas = new ArrayList<>();
    private UnaryOperator<StorageConfig.Builder> engineConfig;
    private TestDatabase database;
    private StorageEngine engine;
    private boolean classScoped;

    private DatabaseExtension(Supplier<TestDatabase> source, String prefix) {
        this.source = source;
        this.schema = TestDatabase.uniqueSchema(Objects.requireNonNull(prefix, "prefix"));
    }

    /** PostgreSQL + TimescaleDB (any tier) from {@code AG_STORAGE_TEST_URL}; schema names start with prefix. */
    public static DatabaseExtension apache(String prefix) {
        return new DatabaseExtension(TestDatabase::apache, prefix);
    }

    /** TimescaleDB with the Timescale License (see {@link TestDatabase#tsl()}). */
    public static DatabaseExtension tsl(String prefix) {
        return new DatabaseExtension(TestDatabase::tsl, prefix);
    }

    /** Starts a {@link StorageEngine} on the schema with {@link TestDatabase#config(String)}'s settings. */
    public DatabaseExtension withEngine() {
        return withEngine(UnaryOperator.identity());
    }

    /** Starts a {@link StorageEngine} on the schema; customizer adjusts the test configuration first. */
    public DatabaseExtension withEngine(UnaryOperator<StorageConfig.Builder> customizer) {
        this.engineConfig = Objects.requireNonNull(customizer, "customizer");
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        classScoped = true;
        setUp();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        tearDown();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!classScoped) {
            setUp();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!classScoped) {
            tearDown();
        }
    }

    private void setUp() {
        database();
        if (engineConfig != null) {
            engine = StorageEngine.create(engineConfig.apply(config()).build());
        }
    }

    private void tearDown() {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            engine = null;
            database().dropSchema(schema);
            extraSchemas.forEach(database()::dropSchema);
            extraSchemas.clear();
        }
    }

    /** The database; resolving it fails with instructions when its environment variable is unset. */
    public TestDatabase database() {
        if (database == null) {
            database = source.get();
        }
        return database;
    }

    /** This fixture's schema: unique to the test class (static field) or to the test (instance field). */
    public String schema() {
        return schema;
    }

    /** {@code "schema".name}: a table or view of this fixture's schema, quoted for SQL. */
    public String table(String name) {
        return "\"" + schema + "\"." + name;
    }

    /** Another unique schema on the same database, dropped with this fixture's own. */
    public String newSchema(String prefix) {
        String extra = TestDatabase.uniqueSchema(prefix);
        extraSchemas.add(extra);
        return extra;
    }

    /** A configuration for this database and schema, with the test settings of {@link TestDatabase#config}. */
    public StorageConfig.Builder config() {
        return database().config(schema);
    }

    /** The engine started by {@link #withEngine()}, or the last one {@link #replaceEngine} started. */
    public StorageEngine engine() {
        if (engine == null) {
            throw new IllegalStateException("no engine on schema " + schema
                    + ": register the extension withEngine(), and use the engine between set-up and tear-down");
        }
        return engine;
    }

    /**
     * Closes the current engine (if any) and starts another on the same schema, configured by customizer from
     * {@link #config()}; the fixture closes it at tear-down.
     */
    public StorageEngine replaceEngine(UnaryOperator<StorageConfig.Builder> customizer) {
        if (engine != null) {
            engine.close();
            engine = null;
        }
        engine = StorageEngine.create(customizer.apply(config()).build());
        return engine;
    }

    public String url() {
        return database().url();
    }

    public Connection connect() throws SQLException {
        return database().connect();
    }

    public void execute(String sql) {
        database().execute(sql);
    }

    public String queryString(String sql) {
        return database().queryString(sql);
    }

    public long queryLong(String sql) {
        return database().queryLong(sql);
    }

    public double queryDouble(String sql) {
        return database().queryDouble(sql);
    }
}
