package io.agstorage.examples;

import io.agstorage.core.StorageConfig;
import java.nio.file.Path;

/** What the runnable examples share: where their configuration comes from. */
final class Examples {

    private Examples() {}

    /** The YAML file given as the only argument, or the defaults overridden by the {@code AG_STORAGE_*} variables. */
    static StorageConfig config(String[] args) {
        if (args.length > 1) {
            throw new IllegalArgumentException(
                    "expected at most one argument (a YAML configuration file), was " + args.length);
        }
        return args.length == 1 ? StorageConfig.fromYamlFile(Path.of(args[0])) : StorageConfig.defaults();
    }
}
