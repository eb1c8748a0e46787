package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code trimmed.seq} file: the highest sequence passed to {@link Journal#trim}, so that a restart replays only
 * what follows it (segments are deleted whole, so they may still hold older records). Not thread-safe: the journal
 * calls it under its append lock.
 */
final class Checkpoint {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final String FILE = "trimmed.seq";
    /** Trims come after every database commit: the file is rewritten at most this often while the journal runs. */
    private static final long INTERVAL_NANOS = 200_000_000L;

    private final Path directory;
    private long written;
    private long writtenNanos;

    private Checkpoint(Path directory, long written) {
        this.directory = directory;
        this.written = written;
    }

    /** Reads the checkpoint of {@code directory}: 0 when there is none or it is unreadable. */
    static Checkpoint read(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            return new Checkpoint(directory, 0);
        }
        try {
            return new Checkpoint(
                    directory,
                    Long.parseLong(
                            Files.readString(file, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            log.warn(
                    "Journal {}: unreadable {} ({}); replaying every record (the consumer's writes are idempotent)",
                    directory,
                    FILE,
                    e.getMessage());
            return new Checkpoint(directory, 0);
        }
    }

    /** The sequence last written to (or read from) the file. */
    long written() {
        return written;
    }

    /** Writes {@code sequence} when it is ahead of the file and the last write is at least 200 ms old. */
    void maybeWrite(long sequence) {
        long now = System.nanoTime();
        if (sequence > written && (writtenNanos == 0 || now - writtenNanos >= INTERVAL_NANOS)) {
            write(sequence);
            writtenNanos = now;
        }
    }

    /** Writes {@code sequence} when it is ahead of the file (on close). */
    void writeIfAhead(long sequence) {
        if (sequence > written) {
            write(sequence);
        }
    }

    /**
     * Atomically replaces the checkpoint file. Not forced: a checkpoint lost in a machine crash is an older one,
     * which only replays records the consumer already stored; it is never ahead of {@link Journal#trim}.
     */
    private void write(long sequence) {
        Path tmp = directory.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, Long.toString(sequence), StandardCharsets.US_ASCII);
            Files.move(
                    tmp, directory.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written = sequence;
        } catch (IOException e) {
            log.warn("Journal {}: cannot write {}: {}", directory, FILE, e.getMessage());
        }
    }
}
