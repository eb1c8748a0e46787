package io.agstorage.core.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real, tiny filesystem (a {@code tmpfs} of a few hundred KiB mounted on a temporary directory) to fill up: the
 * kernel then answers writes with a short count followed by {@code ENOSPC}, exactly as a full disk does. Mounting
 * needs root (CI runs as root); without it {@link #mount} fails with a message saying so rather than skipping.
 */
public final class TinyFilesystem implements AutoCloseable {

    private final Path root;

    private TinyFilesystem(Path root) {
        this.root = root;
    }

    /**
     * Mounts a {@code tmpfs} of {@code kib} KiB on a new temporary directory.
     *
     * @throws IllegalStateException when not running as root or the mount fails
     */
    public static TinyFilesystem mount(int kib) throws IOException, InterruptedException {
        String user = System.getProperty("user.name");
        if (!"root".equals(user)) {
            throw new IllegalStateException("this test mounts a tiny tmpfs to provoke a full disk and needs root "
                    + "(CI runs as root); it runs as '" + user + "'");
        }
        Path dir = Files.createTempDirectory("ag-tiny-fs-");
        run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", dir.toString());
        return new TinyFilesystem(dir);
    }

    /** The mounted filesystem's root directory. */
    public Path root() {
        return root;
    }

    /** Writes a file of {@code bytes} bytes (to take that much room, to be given back with {@link #delete}). */
    public Path filler(String name, int bytes) throws IOException {
        Path file = root.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[bytes]);
        }
        return file;
    }

    /** Deletes a file, giving its room back. */
    public void delete(Path file) throws IOException {
        Files.delete(file);
    }

    /** Deletes every file and directory under the root (the filesystem stays mounted). */
    public void clear() throws IOException {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(root)) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Unmounts the filesystem and removes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", "-l", root.toString()); // lazy: a file a failed test left open must not keep it mounted
        Files.deleteIfExists(root);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
        }
    }
}
