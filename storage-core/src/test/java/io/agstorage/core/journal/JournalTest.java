package io.agstorage.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        return Journal.builder()
                .directory(dir)
                .syncPolicy(policy)
                .segmentBytes(segmentBytes)
                .open((seq, payload) -> replayed.add(new Entry(seq, new String(payload, StandardCharsets.UTF_8))));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".journal"))
                    .sorted()
                    .toList();
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
            assertThat(j.append(bytes("next")))
                    .as("sequences continue after the checkpoint, never reused")
                    .isEqualTo(11);
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
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(151, 200)
                        .boxed()
                        .toList());
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
                for (Path f : files.filter(f -> !f.getFileName().toString().equals("journal.lock"))
                        .toList()) {
                    Files.copy(f, crashed.resolve(f.getFileName()));
                }
            }
        }
        List<Entry> replayed = new ArrayList<>();
        try (Journal j = Journal.builder()
                .directory(crashed)
                .open((seq, p) -> replayed.add(new Entry(seq, new String(p, StandardCharsets.UTF_8))))) {
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
            assertThat(j.append(bytes("after")))
                    .isEqualTo(10); // the torn record was never complete: its sequence is reused
        }
        assertThat(replayed).extracting(Entry::text).endsWith("record-9").hasSize(9);
    }

    @Test
    void aRecordItsReaderCannotDecodeIsQuarantinedAndTheRestIsReplayed() throws IOException {
        try (Journal j = open(new ArrayList<>())) {
            for (int i = 1; i <= 4; i++) {
                j.append(bytes(i == 2 ? "undecodable" : "record-" + i));
            }
        }
        for (int open = 0; open < 2; open++) { // quarantining again on the next open (not trimmed) is harmless
            List<Entry> replayed = new ArrayList<>();
            try (Journal j = Journal.builder().directory(dir).open((seq, payload) -> {
                String text = new String(payload, StandardCharsets.UTF_8);
                if (text.equals("undecodable")) {
                    throw new UndecodableRecordException("unknown record kind 'u'");
                }
                replayed.add(new Entry(seq, text));
            })) {
                assertThat(j.recovery().clean()).isTrue();
                assertThat(j.recovery().records()).isEqualTo(3 + open);
                assertThat(j.recovery().quarantined()).singleElement().satisfies(q -> {
                    assertThat(q.sequence()).isEqualTo(2);
                    assertThat(q.reason()).isEqualTo("unknown record kind 'u'");
                    assertThat(q.savedAs()).isEqualTo(dir.resolve("quarantine-00000000000000000002.rec"));
                    assertThat(q.savedAs()).hasContent("undecodable");
                });
                assertThat(j.append(bytes("next"))).isEqualTo(5 + open);
            }
            assertThat(replayed).extracting(Entry::seq).startsWith(1L, 3L, 4L);
        }
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
            assertThat(j.recovery().corruptions())
                    .singleElement()
                    .extracting(JournalRecovery.Corruption::reason)
                    .isEqualTo("checksum mismatch");
        }
        assertThat(replayed).extracting(Entry::text).containsExactly("only");
    }

    @Test
    void aSecondJournalOnTheSameDirectoryIsRefused() {
        try (Journal j = open(new ArrayList<>())) {
            assertThatThrownBy(() -> open(new ArrayList<>()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("journal directory " + j.directory()
                            + " is in use by another journal (journal.lock is held); "
                            + "give each store its own directory");
        }
    }

    @ParameterizedTest
    @EnumSource(SyncPolicy.class)
    void concurrentAppendersGetIncreasingSequencesAndEveryRecordComesBack(SyncPolicy policy) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Journal j = open(new ArrayList<>(), policy, 64L << 20)) {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        long seq = j.append(bytes(thread + ":" + i));
                        j.awaitDurable(seq);
                        if (policy == SyncPolicy.ALWAYS && j.durableSequence() < seq) {
                            throw new AssertionError(
                                    "awaitDurable(" + seq + ") returned with durableSequence " + j.durableSequence());
                        }
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

    // ---------------------------------------------------------------- the three durability levels

    @Test
    void batchForcesTheJournalWithinTheSyncIntervalWithoutAnyFurtherCall() {
        try (Journal j = Journal.builder()
                .directory(dir)
                .syncPolicy(SyncPolicy.BATCH)
                .syncInterval(Duration.ofMillis(20))
                .open((s, p) -> {})) {
            long last = 0;
            for (int i = 0; i < 50; i++) {
                last = j.append(bytes("record-" + i));
                j.awaitDurable(last); // returns at once: BATCH does not make the caller wait
            }
            long lastSeq = last;
            // nothing else is called on the journal: only its flusher can move the durable sequence
            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> j.durableSequence() >= lastSeq);
            assertThat(j.syncCount()).isPositive();
            // idle: no unsynced records, so no fsync at all over 10 intervals
            long syncs = j.syncCount();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> j.syncCount() == syncs);
            // a new record is forced by the next tick
            long next = j.append(bytes("after-idle"));
            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> j.durableSequence() >= next);
            assertThat(j.syncCount()).isGreaterThan(syncs);
        }
    }

    @Test
    void batchAcknowledgesFromThePageCacheBeforeAnyFsync() {
        // an interval far longer than the test: the flusher never ticks, so only close() forces
        try (Journal j = Journal.builder()
                .directory(dir)
                .syncPolicy(SyncPolicy.BATCH)
                .syncInterval(Duration.ofSeconds(10))
                .open((s, p) -> {})) {
            long seq = j.append(bytes("record"));
            j.awaitDurable(seq);
            assertThat(j.durableSequence()).isLessThan(seq);
            assertThat(j.syncCount()).isZero();
            j.close();
            assertThat(j.durableSequence()).isEqualTo(seq);
            assertThat(j.syncCount()).isEqualTo(1);
        }
    }

    @Test
    void alwaysForcesBeforeAwaitDurableReturnsAndOneFsyncCoversEveryRecordWrittenBeforeIt() {
        try (Journal j = open(new ArrayList<>(), SyncPolicy.ALWAYS, 64L << 20)) {
            long first = j.append(bytes("one"));
            j.append(bytes("two"));
            long third = j.append(bytes("three"));
            assertThat(j.durableSequence()).as("append alone never forces").isLessThan(first);
            j.awaitDurable(third);
            assertThat(j.durableSequence()).isGreaterThanOrEqualTo(third);
            assertThat(j.syncCount()).isEqualTo(1);
            // the callers of records one and two find them covered by that fsync: group commit, no second fsync
            j.awaitDurable(first);
            j.awaitDurable(first + 1);
            assertThat(j.syncCount()).isEqualTo(1);
            long fourth = j.append(bytes("four"));
            j.awaitDurable(fourth);
            assertThat(j.durableSequence()).isGreaterThanOrEqualTo(fourth);
            assertThat(j.syncCount()).isEqualTo(2);
        }
    }

    @Test
    void noneNeverForcesWhileAppendingNotEvenWhenRollingSegments() {
        try (Journal j = open(new ArrayList<>(), SyncPolicy.NONE, 4096)) {
            for (int i = 1; i <= 200; i++) {
                j.awaitDurable(j.append(bytes("record-" + i + "-" + "x".repeat(50))));
            }
            assertThat(j.segmentCount()).isGreaterThan(3);
            assertThat(j.syncCount()).isZero();
            assertThat(j.durableSequence()).isZero();
        }
        List<Entry> replayed = new ArrayList<>();
        open(replayed).close();
        assertThat(replayed).hasSize(200);
    }

    @Test
    void syncIntervalOutsideItsRangeIsRefusedWithTheValue() {
        assertThatThrownBy(() -> Journal.builder().syncInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("syncInterval must be within 1 ms..10 s, was PT0S");
        assertThatThrownBy(() -> Journal.builder().syncInterval(Duration.ofSeconds(11)))
                .hasMessage("syncInterval must be within 1 ms..10 s, was PT11S");
        assertThat(Journal.builder().directory(dir).open((s, p) -> {})).satisfies(j -> {
            assertThat(j.syncPolicy()).isEqualTo(SyncPolicy.BATCH);
            assertThat(j.syncInterval()).isEqualTo(Duration.ofMillis(5));
            j.close();
        });
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
