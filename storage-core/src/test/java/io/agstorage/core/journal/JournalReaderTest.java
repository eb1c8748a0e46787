package io.agstorage.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a live journal back in bounded chunks, across segment rolls, trims and a reopen. */
class JournalReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryRecordInOrderInChunksWhileAppendsRollSegments() {
        List<String> read = new ArrayList<>();
        try (Journal journal =
                        Journal.builder().directory(dir).segmentBytes(4096).open((s, p) -> {});
                JournalReader reader = journal.reader(1)) {
            int appended = 0;
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 37; i++) {
                    journal.append(("record-" + appended++).getBytes(StandardCharsets.UTF_8));
                }
                int n = reader.read(
                        25, (seq, payload) -> read.add(seq + ":" + new String(payload, StandardCharsets.UTF_8)));
                assertThat(n).isLessThanOrEqualTo(25);
                journal.trim(reader.nextSequence() - 1);
            }
            while (reader.read(25, (seq, payload) -> read.add(seq + ":" + new String(payload, StandardCharsets.UTF_8)))
                    > 0) {
                // drain
            }
            assertThat(journal.segmentCount()).isGreaterThan(0);
            assertThat(read).hasSize(appended);
            for (int i = 0; i < appended; i++) {
                assertThat(read.get(i)).isEqualTo((i + 1) + ":record-" + i);
            }
            assertThat(reader.read(25, (seq, payload) -> read.add("extra"))).isZero();
        }
    }

    @Test
    void readsFromTheMiddleOfAReopenedJournal() {
        try (Journal journal =
                Journal.builder().directory(dir).segmentBytes(4096).open((s, p) -> {})) {
            for (int i = 1; i <= 500; i++) {
                journal.append(("r" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        List<Long> seqs = new ArrayList<>();
        try (Journal journal =
                        Journal.builder().directory(dir).segmentBytes(4096).open((s, p) -> {});
                JournalReader reader = journal.reader(250)) {
            while (reader.read(64, (seq, payload) -> {
                        assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("r" + seq);
                        seqs.add(seq);
                    })
                    > 0) {
                // drain
            }
        }
        assertThat(seqs).hasSize(251).startsWith(250L).endsWith(500L);
    }
}
