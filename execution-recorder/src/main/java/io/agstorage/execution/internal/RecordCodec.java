package io.agstorage.execution.internal;

import io.agstorage.execution.Fill;
import io.agstorage.execution.Liquidity;
import io.agstorage.execution.Order;
import io.agstorage.execution.OrderStatus;
import io.agstorage.execution.OrderType;
import io.agstorage.execution.PositionSnapshot;
import io.agstorage.execution.SettlementStatus;
import io.agstorage.execution.Side;
import io.agstorage.execution.TimeInForce;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The journal's binary form of the execution records: one kind byte, then the fields in declaration order.
 * Decimals are kept exactly (unscaled bytes + scale), times to the microsecond, enums by name (so reordering a
 * constant never changes what an old journal means).
 */
public final class RecordCodec {

    private static final byte ORDER = 1;
    private static final byte FILL = 2;
    private static final byte POSITION = 3;
    // Since V009 every record also carries strategy id, account id and tags after the fields above; records of the
    // kinds 1 to 3 (journals written before) decode with none.
    private static final byte ORDER_V2 = 4;
    private static final byte FILL_V2 = 5;
    private static final byte POSITION_V2 = 6;

    private RecordCodec() {}

    /** Whether the payload is an {@link OrderChange}, from its kind byte alone (no decoding). */
    public static boolean isOrderChange(byte[] payload) {
        return payload.length > 0 && (payload[0] == ORDER || payload[0] == ORDER_V2);
    }

    public static byte[] encode(Object record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (record instanceof OrderChange c) {
                out.writeByte(ORDER_V2);
                Order o = c.order();
                uuid(out, o.id());
                string(out, o.clientOrderId());
                string(out, o.venueOrderId());
                out.writeUTF(o.venue());
                out.writeUTF(o.market());
                out.writeUTF(o.side().name());
                out.writeUTF(o.type().name());
                out.writeUTF(o.timeInForce().name());
                decimal(out, o.price());
                decimal(out, o.size());
                out.writeUTF(o.status().name());
                time(out, o.createdAt());
                time(out, o.updatedAt());
                time(out, o.expiresAt());
                uuid(out, c.eventId());
                string(
                        out,
                        c.previousStatus() == null ? null : c.previousStatus().name());
                string(out, c.reason());
                desk(out, o.strategyId(), o.accountId(), o.tags());
            } else if (record instanceof Fill f) {
                out.writeByte(FILL_V2);
                uuid(out, f.orderId());
                out.writeUTF(f.venue());
                out.writeUTF(f.market());
                out.writeUTF(f.venueTradeId());
                out.writeUTF(f.side().name());
                decimal(out, f.price());
                decimal(out, f.size());
                decimal(out, f.fee());
                string(out, f.feeCurrency());
                string(out, f.liquidity() == null ? null : f.liquidity().name());
                time(out, f.tradeTime());
                out.writeUTF(f.settlementStatus().name());
                desk(out, f.strategyId(), f.accountId(), f.tags());
            } else if (record instanceof PositionSnapshot p) {
                out.writeByte(POSITION_V2);
                out.writeUTF(p.venue());
                out.writeUTF(p.market());
                decimal(out, p.size());
                decimal(out, p.avgEntryPrice());
                decimal(out, p.realizedPnl());
                decimal(out, p.unrealizedPnl());
                time(out, p.time());
                desk(out, p.strategyId(), p.accountId(), p.tags());
            } else {
                throw new IllegalArgumentException(
                        "not an execution record: " + record.getClass().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @return an {@link OrderChange}, a {@link Fill} or a {@link PositionSnapshot}
     * @throws IllegalArgumentException when the bytes are not a record this version wrote
     */
    public static Object decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            byte kind = in.readByte();
            return switch (kind) {
                case ORDER, ORDER_V2 -> {
                    Order o = new Order(
                            uuid(in),
                            string(in),
                            string(in),
                            in.readUTF(),
                            in.readUTF(),
                            Side.valueOf(in.readUTF()),
                            OrderType.valueOf(in.readUTF()),
                            TimeInForce.valueOf(in.readUTF()),
                            decimal(in),
                            req(decimal(in)),
                            OrderStatus.valueOf(in.readUTF()),
                            req(time(in)),
                            req(time(in)),
                            time(in));
                    UUID eventId = uuid(in);
                    String previous = string(in);
                    String reason = string(in);
                    if (kind == ORDER_V2) {
                        Desk desk = desk(in);
                        o = new Order(
                                o.id(),
                                o.clientOrderId(),
                                o.venueOrderId(),
                                o.venue(),
                                o.market(),
                                o.side(),
                                o.type(),
                                o.timeInForce(),
                                o.price(),
                                o.size(),
                                o.status(),
                                o.createdAt(),
                                o.updatedAt(),
                                o.expiresAt(),
                                desk.strategyId(),
                                desk.accountId(),
                                desk.tags(),
                                BigDecimal.ZERO,
                                null);
                    }
                    yield new OrderChange(o, eventId, previous == null ? null : OrderStatus.valueOf(previous), reason);
                }
                case FILL, FILL_V2 -> {
                    UUID orderId = uuid(in);
                    String venue = in.readUTF();
                    String market = in.readUTF();
                    String tradeId = in.readUTF();
                    Side side = Side.valueOf(in.readUTF());
                    BigDecimal price = req(decimal(in));
                    BigDecimal size = req(decimal(in));
                    BigDecimal fee = req(decimal(in));
                    String currency = string(in);
                    String liquidity = string(in);
                    Instant time = req(time(in));
                    SettlementStatus status = SettlementStatus.valueOf(in.readUTF());
                    Desk desk = kind == FILL_V2 ? desk(in) : Desk.NONE;
                    yield new Fill(
                            orderId,
                            venue,
                            market,
                            tradeId,
                            side,
                            price,
                            size,
                            fee,
                            currency,
                            liquidity == null ? null : Liquidity.valueOf(liquidity),
                            time,
                            status,
                            desk.strategyId(),
                            desk.accountId(),
                            desk.tags());
                }
                case POSITION, POSITION_V2 -> {
                    String venue = in.readUTF();
                    String market = in.readUTF();
                    BigDecimal size = req(decimal(in));
                    BigDecimal avgEntry = decimal(in);
                    BigDecimal realized = req(decimal(in));
                    BigDecimal unrealized = req(decimal(in));
                    Instant time = req(time(in));
                    Desk desk = kind == POSITION_V2 ? desk(in) : Desk.NONE;
                    yield new PositionSnapshot(
                            venue,
                            market,
                            size,
                            avgEntry,
                            realized,
                            unrealized,
                            time,
                            desk.strategyId(),
                            desk.accountId(),
                            desk.tags());
                }
                default -> throw new IllegalArgumentException("unknown journal record kind " + kind);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("undecodable journal record (" + payload.length + " bytes): " + e, e);
        }
    }

    /** Strategy id, account id and tags of a record. */
    private record Desk(
            @Nullable String strategyId, @Nullable String accountId, Set<String> tags) {
        static final Desk NONE = new Desk(null, null, Set.of());
    }

    private static void desk(
            DataOutputStream out, @Nullable String strategyId, @Nullable String accountId, Set<String> tags)
            throws IOException {
        string(out, strategyId);
        string(out, accountId);
        out.writeShort(tags.size());
        for (String tag : tags) {
            out.writeUTF(tag);
        }
    }

    private static Desk desk(DataInputStream in) throws IOException {
        String strategyId = string(in);
        String accountId = string(in);
        int n = in.readUnsignedShort();
        List<String> tags = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tags.add(in.readUTF());
        }
        return new Desk(strategyId, accountId, new LinkedHashSet<>(tags));
    }

    private static <T> T req(@Nullable T value) throws IOException {
        if (value == null) {
            throw new IOException("required field is null");
        }
        return value;
    }

    private static void uuid(DataOutputStream out, UUID id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static UUID uuid(DataInputStream in) throws IOException {
        return new UUID(in.readLong(), in.readLong());
    }

    private static void string(DataOutputStream out, @Nullable String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static @Nullable String string(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void decimal(DataOutputStream out, @Nullable BigDecimal d) throws IOException {
        out.writeBoolean(d != null);
        if (d != null) {
            byte[] unscaled = d.unscaledValue().toByteArray();
            out.writeInt(d.scale());
            out.writeShort(unscaled.length);
            out.write(unscaled);
        }
    }

    private static @Nullable BigDecimal decimal(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        int scale = in.readInt();
        byte[] unscaled = new byte[in.readUnsignedShort()];
        in.readFully(unscaled);
        return new BigDecimal(new BigInteger(unscaled), scale);
    }

    private static void time(DataOutputStream out, @Nullable Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }
    }

    private static @Nullable Instant time(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }
}
