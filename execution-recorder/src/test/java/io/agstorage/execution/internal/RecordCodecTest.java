package io.agstorage.execution.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.execution.Fill;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.PositionSnapshot;
import io.agstorage.execution.SettlementStatus;
import io.agstorage.execution.Side;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The journal's record format: strategy, account and tags round-trip; a journal written before them still replays. */
class RecordCodecTest {

    private static final Instant T = Instant.parse("2026-03-10T10:00:00.123456Z");

    @Test
    void strategyAccountAndTagsRoundTripThroughTheJournalFormat() {
        Order order = Order.of("polymarket", "0xabc", Side.BUY, OrderType.LIMIT, new BigDecimal("10"))
                .withPrice(new BigDecimal("0.5"))
                .withStrategyId("alpha")
                .withAccountId("acct-1")
                .withTags(List.of("b", "a", "b"));
        OrderChange change = OrderChange.of(order, null, null);
        assertThat(RecordCodec.decode(RecordCodec.encode(change))).isEqualTo(change);
        assertThat(RecordCodec.isOrderChange(RecordCodec.encode(change))).isTrue();

        Fill fill = Fill.of(order, "t-1", new BigDecimal("0.5"), new BigDecimal("10"))
                .withFee(new BigDecimal("0.01"), "USDC")
                .withTradeTime(T);
        assertThat(fill.tags()).containsExactly("a", "b");
        assertThat(RecordCodec.decode(RecordCodec.encode(fill))).isEqualTo(fill);

        PositionSnapshot position = PositionSnapshot.of("polymarket", "0xabc", new BigDecimal("10"), null)
                .withTime(T)
                .withStrategyId("alpha")
                .withTags(List.of("x"));
        assertThat(RecordCodec.decode(RecordCodec.encode(position))).isEqualTo(position);
    }

    @Test
    void aFillJournaledByTheVersionBeforeStrategiesDecodesWithNone() throws IOException {
        UUID orderId = UUID.randomUUID();
        // kind 2, the fields in the order the previous version wrote them, nothing after the settlement status
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(2);
            out.writeLong(orderId.getMostSignificantBits());
            out.writeLong(orderId.getLeastSignificantBits());
            out.writeUTF("polymarket");
            out.writeUTF("0xabc");
            out.writeUTF("t-old");
            out.writeUTF("SELL");
            decimal(out, new BigDecimal("0.52"));
            decimal(out, new BigDecimal("40"));
            decimal(out, new BigDecimal("-0.01"));
            out.writeBoolean(true);
            out.writeUTF("USDC");
            out.writeBoolean(false);
            out.writeBoolean(true);
            out.writeLong(T.getEpochSecond());
            out.writeInt(T.getNano());
            out.writeUTF("MINED");
        }
        Object decoded = RecordCodec.decode(bytes.toByteArray());
        assertThat(decoded)
                .isEqualTo(new Fill(
                        orderId,
                        "polymarket",
                        "0xabc",
                        "t-old",
                        Side.SELL,
                        new BigDecimal("0.52"),
                        new BigDecimal("40"),
                        new BigDecimal("-0.01"),
                        "USDC",
                        null,
                        T,
                        SettlementStatus.MINED));
        assertThat(((Fill) decoded).strategyId()).isNull();
        assertThat(((Fill) decoded).tags()).isEmpty();
    }

    private static void decimal(DataOutputStream out, BigDecimal d) throws IOException {
        out.writeBoolean(true);
        byte[] unscaled = d.unscaledValue().toByteArray();
        out.writeInt(d.scale());
        out.writeShort(unscaled.length);
        out.write(unscaled);
    }
}
