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

    private RecordCodec() {}

    /** Whether the payload is an {@link OrderChange}, from its kind byte alone (no decoding). */
    public static boolean isOrderChange(byte[] payload) {
        return payload.length > 0 && payload[0] == ORDER;
    }

    public static byte[] encode(Object record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (record instanceof OrderChange c) {
                out.writeByte(ORDER);
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
            } else if (record instanceof Fill f) {
                out.writeByte(FILL);
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
            } else if (record instanceof PositionSnapshot p) {
                out.writeByte(POSITION);
                out.writeUTF(p.venue());
                out.writeUTF(p.market());
                decimal(out, p.size());
                decimal(out, p.avgEntryPrice());
                decimal(out, p.realizedPnl());
                decimal(out, p.unrealizedPnl());
                time(out, p.time());
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
                case ORDER -> {
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
                    yield new OrderChange(
                            o, eventId, previous == null ? null : OrderStatus.valueOf(previous), string(in));
                }
                case FILL -> {
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
                            SettlementStatus.valueOf(in.readUTF()));
                }
                case POSITION ->
                    new PositionSnapshot(
                            in.readUTF(),
                            in.readUTF(),
                            req(decimal(in)),
                            decimal(in),
                            req(decimal(in)),
                            req(decimal(in)),
                            req(time(in)));
                default -> throw new IllegalArgumentException("unknown journal record kind " + kind);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("undecodable journal record (" + payload.length + " bytes): " + e, e);
        }
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
