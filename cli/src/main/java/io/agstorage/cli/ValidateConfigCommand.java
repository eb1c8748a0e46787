package io.agstorage.cli;

import io.agstorage.core.StorageConfig;
import io.agstorage.otlp.OtlpReceiverMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ag-storage validate-config FILE}: binds the file (and the environment) as the library would and prints the
 * result with secrets masked, or the first rule it breaks. Does not connect. The
 * {@code receiver} section is checked as {@code ag-storage receiver} binds it.
 */
@Command(
        name = "validate-config",
        description = "Check a configuration file without connecting; print it, secrets masked.")
final class ValidateConfigCommand implements Callable<Integer> {

    @ParentCommand
    AgStorageCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the YAML file to check")
    Path file;

    @Override
    public Integer call() throws IOException {
        StorageConfig config = cli.storageConfig(file);
        int receiverKeys = OtlpReceiverMain.checkConfig(Files.readString(file), cli.environment());
        spec.commandLine().getOut().println("valid: " + config);
        spec.commandLine().getOut().println("valid: receiver section (" + receiverKeys + " keys set)");
        return 0;
    }
}
