package io.agstorage.cli;

import io.agstorage.core.ConfigTree;
import io.agstorage.core.StorageConfig;
import io.agstorage.core.StorageEngine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The operator's command line, {@code ag-storage} ({@code scripts/ag-storage} runs its jar).
 *
 * <p>Every command reads the same configuration as the library: a YAML file ({@code --config}, the sections of
 * {@link StorageConfig}; a {@code receiver} section is left to {@code ag-storage receiver}) and the
 * {@code AG_STORAGE_<SECTION>_<KEY>} environment variables; {@code --url} and {@code --schema} override both. Exit
 * status: 0 done, 1 the database refused or failed, 2 a bad command line or configuration.
 */
@Command(
        name = "ag-storage",
        mixinStandardHelpOptions = true,
        versionProvider = AgStorageCli.Version.class,
        description = "Operates an ag-storage database: migrations, status, retention, rollups, exports, the receiver.",
        subcommands = {
            MigrateCommand.class,
            InfoCommand.class,
            ValidateConfigCommand.class,
            RetentionCommand.class,
            RollupsCommand.class,
            ExportCommand.class,
            ReceiverCommand.class
        })
public final class AgStorageCli {

    private static final String RECEIVER = "receiver";

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML configuration (the library's sections); the environment overrides it")
    @Nullable
    Path config;

    @Option(names = "--url", paramLabel = "JDBC_URL", description = "database.url, overriding file and environment")
    @Nullable
    String url;

    @Option(names = "--schema", paramLabel = "NAME", description = "database.schema, overriding file and environment")
    @Nullable
    String schema;

    private Map<String, String> environment = System.getenv();

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv()));
    }

    /**
     * Runs one command line.
     *
     * @return the exit status: 0 done, 1 the database refused or failed, 2 a bad command line or configuration
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
        AgStorageCli cli = new AgStorageCli();
        cli.environment = Map.copyOf(environment);
        CommandLine commandLine = new CommandLine(cli)
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler((e, line, parsed) -> {
                    boolean usage = e instanceof IllegalArgumentException;
                    line.getErr().println("ag-storage " + line.getCommandName() + ": " + message(e));
                    return usage ? 2 : 1;
                });
        int status = commandLine.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** The storage configuration these options and the environment describe. */
    StorageConfig storageConfig() {
        return storageConfig(config);
    }

    /** The storage configuration of {@code file} (may be null: defaults), the environment and the options. */
    StorageConfig storageConfig(@Nullable Path file) {
        ConfigTree tree = file == null ? ConfigTree.empty() : ConfigTree.read(requireReadable(file));
        Map<String, String> env = new HashMap<>(environment);
        env.keySet().removeIf(name -> name.startsWith(ConfigTree.ENV_PREFIX + "RECEIVER_"));
        StorageConfig.Builder builder =
                StorageConfig.builder().tree(tree.without(RECEIVER)).environment(env);
        if (url != null) {
            builder.setUrl(url);
        }
        if (schema != null) {
            builder.setSchema(schema);
        }
        return builder.build();
    }

    /**
     * An engine on this configuration for one command; {@code migrate} says whether pending migrations are applied.
     * It runs no retention scheduler of its own (a command ends long before its first tick; `retention run` runs one
     * pass itself).
     */
    StorageEngine engine(boolean migrate) {
        return StorageEngine.create(storageConfig().toBuilder()
                .setMigrate(migrate)
                .set("retention.enabled", "false")
                .build());
    }

    /** The environment the command binds {@code AG_STORAGE_*} overrides from. */
    Map<String, String> environment() {
        return environment;
    }

    @Nullable
    Path configFile() {
        return config;
    }

    private static Path requireReadable(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("--config: cannot read file " + file);
        }
        return file;
    }

    private static String message(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    /** The version from the jar's manifest (the Maven project version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = AgStorageCli.class.getPackage().getImplementationVersion();
            return new String[] {"ag-storage " + (version == null ? "(development build)" : version)};
        }
    }
}
