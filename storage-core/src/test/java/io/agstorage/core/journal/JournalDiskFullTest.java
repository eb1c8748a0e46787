package io.agstorage.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.testing.TinyFilesystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A journal on a real 256 KiB {@code tmpfs} that fills up: the kernel writes part of a record, then fails with
 * {@code ENOSPC}. The failed append must leave the journal as it was, so that the appends acknowledged once room is
 * back are replayed after a reopen. Needs root to mount (CI runs as root).
 */
class JournalDiskFullTest {

    private static TinyFilesystem fs;
    private Path dir;

    @BeforeAll
    static void mount() throws Exception {
        fs = TinyFilesystem.mount(256);
    }

    @AfterAll
    static void unmount() throws Exception {
        if (fs != null) {
            fs.close();
        }
    }

    @BeforeEach
    void clean() throws IOException {
        fs.clear();
        dir = fs.root().resolve("journal");
    }

    /** About 1 KiB, so that records straddle page boundaries and a full disk takes part of one. */
    private static byte[] payload(int i) {
        return ("record-" + i + "-" + "x".repeat(1000)).getBytes(StandardCharsets.UTF_8);
    }

    /** Small segments (4 KiB) make the disk fill up while a new segment is created, too. */
    @ParameterizedTest(name = "segmentBytes={0}")
    @ValueSource(longs = {64L << 20, 4096})
    void anAppendThatFailsOnAFullDiskLeavesTheJournalAsItWas(long segmentBytes) throws Exception {
        Path filler = fs.filler("filler", 128 << 10);
        List<Integer> acknowledged = new ArrayList<>();
        int failed = 0;
        try (Journal j = Journal.builder()
                .directory(dir)
                .syncPolicy(SyncPolicy.ALWAYS)
                .segmentBytes(segmentBytes)
                .open((seq, p) -> {})) {
            int i = 0;
            // Fill the disk: the first failure, then a few more attempts while it is still full.
            while (failed < 5) {
                try {
                    j.awaitDurable(j.append(payload(i)));
                    acknowledged.add(i);
                } catch (JournalException e) {
                    assertThat(e.getMessage()).contains(dir.toString());
                    failed++;
                }
                i++;
                assertThat(i).as("the 256 KiB disk never filled up").isLessThan(1_000);
            }
            int beforeFull = acknowledged.size();
            fs.delete(filler);
            for (int k = 0; k < 40; k++, i++) {
                j.awaitDurable(j.append(payload(i)));
                acknowledged.add(i);
            }
            assertThat(beforeFull)
                    .as("records acknowledged before the disk was full")
                    .isPositive();
        }

        List<Integer> replayed = new ArrayList<>();
        try (Journal j =
                Journal.builder().directory(dir).segmentBytes(segmentBytes).open((seq, p) -> replayed.add(index(p)))) {
            assertThat(replayed)
                    .as("every acknowledged record is replayed, in order")
                    .containsExactlyElementsOf(acknowledged);
            assertThat(j.recovery().corruptions()).as("nothing was cut off").isEmpty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".corrupt"));
        }
    }

    private static int index(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        return Integer.parseInt(s.substring("record-".length(), s.indexOf('-', "record-".length())));
    }
}
