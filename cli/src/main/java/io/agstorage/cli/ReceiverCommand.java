package io.agstorage.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.agstorage.otlp.OtlpReceiverMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code ag-storage receiver}: the OTLP receiver, configured by the same file (its {@code receiver} section). */
@Command(name = "receiver", description = "Run the OTLP receiver (gRPC 4317, HTTP 4318) until stopped.")
final class ReceiverCommand implements Runnable {

    @ParentCommand
    AgStorageCli cli;

    @Override
    public void run() {
        // A server's lifecycle belongs in its log: the other commands keep stderr to warnings.
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        List<String> args = new ArrayList<>();
        Path config = cli.configFile();
        if (config != null) {
            args.add("--config");
            args.add(config.toString());
        }
        OtlpReceiverMain.main(args.toArray(String[]::new));
    }
}
