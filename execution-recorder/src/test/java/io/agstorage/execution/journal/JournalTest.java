package io.agstorage.execution.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JournalTest {

    @TempDir
    Path dir;

    private record Entry(long seq, String text) {}

    private Journal open(List<Entry> replayed) {
        return open(replayed, SyncPolicy.BATCH, 64L << 20);
    }

    private Journal open(List<Entry> replayed, SyncPolicy policy, long segmentBytes) {
        return Journal.builder().directory(dir).syncPolicy(policy).segmentBytes(segmentBytes)
                .open((seq, payload) -> replayed.add(new Entry(seq, new String(payload, StandardCharsets.UTF_8))));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".journal")).sorted().toList();
        }
    }

    @ParameterizedTest
    @EnumSource(SyncPolicy.class)
    void recordsAppendedAndNotTrimmedAreReplayedInOrderAfterReopen(SyncPolicy policy) {
        List<Entry> first = new ArrayList<>();
        try (Journal j = open(first, policy, 64L << 20)) {
            for (int i = 1; i <= 100; i++) {
                j.awaitDurable(j.append(bytes("record-" + i)));
            }
        }
        assertThat(first).isEmpty();
        List<Entry> replayed = new ArrayList<>();
        try (Journal j = open(replayed, policy, 64L << 20)) {
            assertThat(j.recovery().clean()).isTrue();
            assertThat(j.recovery().records()).isEqualTo(100);
            assertThat(j.lastSequence()).isEqualTo(100);
            assertThat(j.append(bytes("next"))).isEqualTo(101);
        }
        assertThat(replayed).hasSize(100);
        assertThat(replayed.get(0)).isEqualTo(new Entry(1, "record-1"));
        assertThat(replayed.get(99)).isEqualTo(new Entry(100, "record-100"));
    }

    @Test
    void trimmingEverythingLeavesNoSegmentAfterClose() throws IOException {
        try (Journal j = open(new ArrayList<>())) {
            long last = 0;
            for (int i = 0; i < 10; i++) {
                last = j.append(bytes("r" + i));
            }
            j.trim(last);
        }
        assertThat(segments()).isEmpty();
        List<Entry> replayed = new ArrayList<>();
        try (Journal j = open(replayed)) {
            assertThat(j.recovery().records()).isZero();
            assertThat(j.append(bytes("next"))).as("sequences continue after the checkpoint, never reused").isEqualTo(11);
        }
        assertThat(replayed).isEmpty();
    }

    @Test
    void onlyTheUntrimmedRecordsOfTheUntrimmedSegmentsComeBack() throws IOException {
        try (Journal j = open(new ArrayList<>(), SyncPolicy.NONE, 4096)) {
            for (int i = 1; i <= 200; i++) {
                j.append(bytes("record-" + i + "-" + "x".repeat(50)));
            }
            assertThat(j.segmentCount()).isGreaterThan(3);
            j.trim(150);
            assertThat(segments().size()).isLessThan(4);
        }
        List<Entry> replayed = new ArrayList<>();
        try (Journal j = open(replayed)) {
            assertThat(j.lastSequence()).isEqualTo(200);
            assertThat(j.trimmedSequence()).isEqualTo(150);
            assertThat(j.recovery().skipped()).isPositive();
        }
        // segments are deleted whole, so records <= 150 may stay on disk; the checkpoint keeps them from being replayed
        assertThat(replayed.stream().map(Entry::seq).toList())
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(151, 200).boxed().toList());
    }

    @Test
    void aCrashAfterATrimReplaysOnlyWhatFollowsTheCheckpoint(@TempDir Path crashed) throws IOException {
        try (Journal j = open(new ArrayList<>())) {
            for (int i = 1; i <= 100; i++) {
                j.append(bytes("record-" + i));
            }
            j.trim(60);
            // the files as a kill -9 would leave them: copied while the journal is open, never closed
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> !f.getFileName().toString().equals("journal.lock")).toList()) {
                    Files.copy(f, crashed.resolve(f.getFileName()));
                }
            }
        }
        List<Entry> replayed = new ArrayList<>();
        try (Journal j = Journal.builder().directory(crashed).open((seq, p) -> replayed.add(new Entry(seq, new String(p, StandardCharsets.UTF_8))))) {
            assertThat(j.recovery().records()).isEqualTo(40);
            assertThat(j.recovery().skipped()).isEqualTo(60);
            assertThat(j.append(bytes("next"))).isEqualTo(101);
        }
        assertThat(replayed.get(0)).isEqualTo(new Entry(61, "record-61"));
        assertThat(replayed).hasSize(40);
    }

    @Test
    void tornTailIsCutOffReportedAndSavedWhileTheValidPrefixIsReplayed() throws IOException {
        try (Journal j = open(new ArrayList<>())) {
            for (int i = 1; i <= 10; i++) {
                j.append(bytes("record-" + i));
            }
        }
        Path segment = segments().get(0);
        long size = Files.size(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(size - 3); // the last record lost its last 3 bytes, as when the process dies mid-write
        }
        List<Entry> replayed = new ArrayList<>();
        try (Journal j = open(replayed)) {
            JournalRecovery r = j.recovery();
            assertThat(r.records()).isEqualTo(9);
            assertThat(r.corruptions()).hasSize(1);
            JournalRecovery.Corruption c = r.corruptions().get(0);
            assertThat(c.reason()).startsWith("torn record");
            assertThat(c.segment()).isEqualTo(segment);
            assertThat(c.savedAs()).isNotNull();
            assertThat(Files.size(c.savedAs())).isEqualTo(c.discardedBytes());
            assertThat(j.append(bytes("after"))).isEqualTo(10); // the torn record was never complete: its sequence is reused
        }
        assertThat(replayed).extracting(Entry::text).endsWith("record-9").hasSize(9);
    }

    @Test
    void flippedByteIsDetectedByTheChecksum() throws IOException {
        try (Journal j = open(new ArrayList<>())) {
            for (int i = 1; i <= 5; i++) {
                j.append(bytes("record-" + i));
            }
        }
        Path segment = segments().get(0);
        byte[] content = Files.readAllBytes(segment);
        int recordSize = 16 + "record-1".length();
        int thirdPayload = 8 + 2 * recordSize + 16;
        content[thirdPayload + 2] ^= 0x40; // one bit of record 3's payload
        Files.write(segment, content);
        List<Entry> replayed = new ArrayList<>();
        try (Journal j = open(replayed)) {
            assertThat(j.recovery().corruptions()).singleElement().satisfies(c -> {
                assertThat(c.reason()).isEqualTo("checksum mismatch");
                assertThat(c.offset()).isEqualTo(8 + 2 * recordSize);
                assertThat(c.discardedBytes()).isEqualTo(3L * recordSize);
            });
        }
        assertThat(replayed).extracting(Entry::text).containsExactly("record-1", "record-2");
    }

    @Test
    void garbageAppendedAfterTheLastRecordIsReported() throws IOException {
        try (Journal j = open(new ArrayList<>())) {
            j.append(bytes("only"));
        }
        Path segment = segments().get(0);
        Files.write(segment, new byte[40], java.nio.file.StandardOpenOption.APPEND); // zero-filled preallocation
        List<Entry> replayed = new ArrayList<>();
        try (Journal j = open(replayed)) {
            assertThat(j.recovery().corruptions()).singleElement().extracting(JournalRecovery.Corruption::reason).isEqualTo("checksum mismatch");
        }
        assertThat(replayed).extracting(Entry::text).containsExactly("only");
    }

    @Test
    void aSecondJournalOnTheSameDirectoryIsRefused() {
        try (Journal j = open(new ArrayList<>())) {
            assertThatThrownBy(() -> open(new ArrayList<>()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("journal directory " + j.directory() + " is in use by another journal (journal.lock is held); "
                            + "give each store its own directory");
        }
    }

    @Test
    void concurrentBatchAppendersAllBecomeDurableWithIncreasingSequences() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Journal j = open(new ArrayList<>())) {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        long seq = j.append(bytes(thread + ":" + i));
                        j.awaitDurable(seq);
                        seqs.add(seq);
                    }
                    return seqs;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) {
                List<Long> seqs = f.get(60, TimeUnit.SECONDS);
                assertThat(seqs).isSorted();
                all.addAll(seqs);
            }
            assertThat(all).doesNotHaveDuplicates().hasSize(2000);
            assertThat(j.lastSequence()).isEqualTo(2000);
        } finally {
            pool.shutdownNow();
        }
        List<Entry> replayed = new ArrayList<>();
        open(replayed).close();
        assertThat(replayed).hasSize(2000);
    }

    @Test
    void oversizedRecordIsRefusedWithItsSize() {
        try (Journal j = open(new ArrayList<>())) {
            assertThatThrownBy(() -> j.append(new byte[Journal.MAX_RECORD_BYTES + 1]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("journal record must be at most 16777216 bytes, was 16777217");
        }
    }

    @Test
    void syncPolicyParsesAndNamesTheAcceptedValues() {
        assertThat(SyncPolicy.parse(" Batch ")).isEqualTo(SyncPolicy.BATCH);
        assertThatThrownBy(() -> SyncPolicy.parse("sometimes"))
                .hasMessage("syncPolicy must be one of none, batch, always, was 'sometimes'");
    }
}
