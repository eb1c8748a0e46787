package io.agstorage.core.internal.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link SampleCopyFormat}: the exact bytes of PostgreSQL's binary COPY format that the writer sends. */
class SampleCopyFormatTest {

    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in microseconds since 1970. */
    private static final long Y2K_MICROS = 946_684_800_000_000L;

    @Test
    void aStatementIsTheHeaderThenRowsOfThreeEightByteFieldsThenTheTrailer() {
        byte[] buffer = new byte[SampleCopyFormat.HEADER.length + 2 * SampleCopyFormat.ROW_BYTES + 2];

        int pos = SampleCopyFormat.putHeader(buffer, 0);
        pos = SampleCopyFormat.putRow(buffer, pos, Y2K_MICROS + 1, 42, 1.0);
        pos = SampleCopyFormat.putRow(buffer, pos, 0, (1L << 40) + 5, -0.5);
        pos = SampleCopyFormat.putTrailer(buffer, pos);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        // Signature "PGCOPY\n\377\r\n\0", flags (int32 0), header extension length (int32 0).
        bytes(expected, "50 47 43 4f 50 59 0a ff 0d 0a 00", "00 00 00 00", "00 00 00 00");
        // Row: 3 fields; time = 1 microsecond after 2000-01-01; series_id 42; value 1.0.
        bytes(expected, "00 03", "00 00 00 08", "00 00 00 00 00 00 00 01");
        bytes(expected, "00 00 00 08", "00 00 00 00 00 00 00 2a");
        bytes(expected, "00 00 00 08", "3f f0 00 00 00 00 00 00");
        // Row: 1970-01-01 is -946,684,800,000,000 microseconds from 2000; a series id above 2^32; value -0.5.
        bytes(expected, "00 03", "00 00 00 08", "ff fc a2 fe c4 c8 20 00");
        bytes(expected, "00 00 00 08", "00 00 01 00 00 00 00 05");
        bytes(expected, "00 00 00 08", "bf e0 00 00 00 00 00 00");
        // Trailer: field count -1.
        bytes(expected, "ff ff");

        assertThat(pos).isEqualTo(19 + 2 * 38 + 2).isEqualTo(buffer.length);
        assertThat(buffer).containsExactly(expected.toByteArray());
    }

    @Test
    void rowsAreWrittenAtTheGivenPositionAndLeaveTheRestAlone() {
        byte[] buffer = new byte[2 + SampleCopyFormat.ROW_BYTES + 2];
        Arrays.fill(buffer, (byte) 0x55);

        int end = SampleCopyFormat.putRow(buffer, 2, Y2K_MICROS, 1, 0.0);

        assertThat(end).isEqualTo(2 + 38);
        assertThat(Arrays.copyOfRange(buffer, 0, 2)).containsExactly(0x55, 0x55);
        assertThat(Arrays.copyOfRange(buffer, 2, 6))
                .as("field count, first field's length")
                .containsExactly(0, 3, 0, 0);
        assertThat(Arrays.copyOfRange(buffer, 8, 16))
                .as("2000-01-01 is time 0")
                .containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(buffer, 32, 40))
                .as("0.0 is all zero bits")
                .containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(buffer, 40, 42)).containsExactly(0x55, 0x55);
    }

    private static void bytes(ByteArrayOutputStream out, String... hexGroups) {
        for (String group : hexGroups) {
            for (String hex : group.split(" ")) {
                out.write(Integer.parseInt(hex, 16));
            }
        }
    }
}
