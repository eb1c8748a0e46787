package io.agstorage.chaos;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the run starts its child JVMs: the same java and class path as this JVM (as the crash tests of the
 * otel-exporter and execution-recorder modules do), and the child main classes, named here only.
 */
final class ChildJvm {

    /** The standalone OTLP receiver (moving to the otlp-receiver module as {@code io.agstorage.otlp}: change here). */
    static final String RECEIVER_MAIN = "io.agstorage.otlp.OtlpReceiverMain";

    /** The execution-store workload of this module. */
    static final String EXECUTION_MAIN = ExecutionWorkload.class.getName();

    /**
     * The logging configuration of the run and its children (a file per process): named, because storage-core's
     * test jar on the class path brings a {@code logback-test.xml}, which logback would otherwise prefer.
     */
    static final String LOGBACK = "chaos-logback.xml";

    private ChildJvm() {}

    /** A process builder for {@code java -cp <this class path> -Dchaos.log=<log> <mainClass> <args>}. */
    static ProcessBuilder java(String mainClass, Path log, List<String> args) {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dchaos.log=" + log);
        command.add("-Dlogback.configurationFile=" + LOGBACK);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        // The child is configured by the arguments and variables its launcher sets, not by the caller's environment.
        pb.environment().keySet().removeIf(name -> name.startsWith("AG_STORAGE_"));
        return pb;
    }
}
