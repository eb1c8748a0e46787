package io.agstorage.core.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code journal.lock} file lock that keeps a second journal (in this process or another) off a directory. */
final class DirectoryLock {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final Path directory;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path directory, FileChannel channel, FileLock lock) {
        this.directory = directory;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code directory} when missing and locks it.
     *
     * @throws IllegalStateException when another journal holds the lock
     * @throws JournalException when the directory or the lock file cannot be opened
     */
    static DirectoryLock acquire(Path directory) {
        try {
            Files.createDirectories(directory);
            FileChannel channel = FileChannel.open(
                    directory.resolve("journal.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock acquired;
            try {
                acquired = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                acquired = null;
            }
            if (acquired == null) {
                channel.close();
                throw new IllegalStateException("journal directory " + directory + " is in use by another journal "
                        + "(journal.lock is held); give each store its own directory");
            }
            return new DirectoryLock(directory, channel, acquired);
        } catch (IOException e) {
            throw new JournalException("cannot open journal directory " + directory + ": " + e.getMessage(), e);
        }
    }

    void release() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            log.debug("Cannot release {}: {}", directory.resolve("journal.lock"), e.getMessage());
        }
    }
}
