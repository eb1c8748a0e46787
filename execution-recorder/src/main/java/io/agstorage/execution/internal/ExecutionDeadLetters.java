package io.agstorage.execution.internal;

import io.agstorage.core.DeadLetters;
import io.agstorage.core.ErrorPolicy;
import io.agstorage.core.json.LabelsJson;
import io.agstorage.core.logging.ThrottledLog;
import io.agstorage.execution.Fill;
import io.agstorage.execution.Order;
import io.agstorage.execution.PositionSnapshot;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the execution writer puts a record the database refused for good (SQLSTATE class 22 or 23): first appended,
 * encoded, to {@code dead-letter.log} in the journal directory (forced to the device), then inserted into the
 * {@code dead_letters} table ({@code sql/V007}) with door {@code execution}, the record's order id and a JSON payload
 * of its fields plus {@code record}, the journal encoding ({@link RecordCodec}, base64) to replay it with. The table
 * insert is retried like any write while the database is unavailable; the file keeps the record whatever happens.
 */
final class ExecutionDeadLetters {

    private static final Logger log = LoggerFactory.getLogger(ExecutionWriter.class);
    private final ThrottledLog retryLog = new ThrottledLog(log, Duration.ofSeconds(5));

    /** Sleeps before a retry; false when the writer is stopping and must give up. */
    interface Backoff {
        boolean pause(long millis);
    }

    private final Path file;
    private final DataSource dataSource;
    private final DeadLetters table;

    ExecutionDeadLetters(Path file, DataSource dataSource, String quotedSchema) {
        this.file = file;
        this.dataSource = dataSource;
        this.table = new DeadLetters(quotedSchema);
    }

    Path file() {
        return file;
    }

    /** Dead-letters {@code record}; {@code onRetry} counts a retried table insert. */
    void write(long sequence, Object record, Exception failure, String reason, Backoff backoff, Runnable onRetry) {
        String line = Instant.now() + "\t" + sequence + "\t"
                + reason.replace('\n', ' ').replace('\t', ' ') + "\t"
                + Base64.getEncoder().encodeToString(RecordCodec.encode(record)) + "\n";
        try {
            Files.writeString(
                    file,
                    line,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        } catch (IOException io) {
            log.error("Cannot append to {}: {}", file, io.getMessage());
        }
        String payload = payload(record);
        long wait = 20;
        while (true) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                table.insert(c, "execution", null, orderId(record), payload, failure);
                return;
            } catch (SQLException e) {
                if (ErrorPolicy.isDataError(e)) {
                    log.error(
                            "The dead_letters table refused execution record {} ({}); it is in {} only",
                            sequence,
                            ExecutionWriter.reason(e),
                            file);
                    return;
                }
                onRetry.run();
                retryLog.warn(
                        "Cannot insert execution record {} into dead_letters, retrying in {} ms: {}",
                        sequence,
                        wait,
                        ExecutionWriter.reason(e));
            }
            if (!backoff.pause(wait)) {
                log.error("Stopping: execution record {} is in {} but not in dead_letters", sequence, file);
                return;
            }
            wait = Math.min(1_000, wait * 2);
        }
    }

    private static @Nullable UUID orderId(Object record) {
        if (record instanceof OrderChange c) {
            return c.order().id();
        }
        return record instanceof Fill f ? f.orderId() : null;
    }

    /** The record's fields as a JSON object, and {@code record}: its journal encoding. */
    static String payload(Object record) {
        Json j = new Json();
        if (record instanceof OrderChange c) {
            Order o = c.order();
            j.text("kind", "order").text("id", o.id().toString()).text("client_order_id", o.clientOrderId());
            j.text("venue_order_id", o.venueOrderId()).text("venue", o.venue()).text("market", o.market());
            j.text("side", o.side().name()).text("order_type", o.type().name());
            j.text("time_in_force", o.timeInForce().name())
                    .number("price", o.price())
                    .number("size", o.size());
            j.text("status", o.status().name()).text("updated_at", o.updatedAt().toString());
            j.desk(o.strategyId(), o.accountId(), o.tags());
        } else if (record instanceof Fill f) {
            j.text("kind", "fill").text("order_id", f.orderId().toString()).text("venue", f.venue());
            j.text("market", f.market())
                    .text("venue_trade_id", f.venueTradeId())
                    .text("side", f.side().name());
            j.number("price", f.price()).number("size", f.size()).number("fee", f.fee());
            j.text("fee_currency", f.feeCurrency())
                    .text("venue_trade_time", f.tradeTime().toString());
            j.text("settlement_status", f.settlementStatus().name());
            j.desk(f.strategyId(), f.accountId(), f.tags());
        } else if (record instanceof PositionSnapshot p) {
            j.text("kind", "position").text("venue", p.venue()).text("market", p.market());
            j.number("size", p.size())
                    .number("avg_entry_price", p.avgEntryPrice())
                    .text("time", p.time().toString());
            j.desk(p.strategyId(), p.accountId(), p.tags());
        }
        j.text("record", Base64.getEncoder().encodeToString(RecordCodec.encode(record)));
        return j.close();
    }

    /** A flat JSON object; strings escaped by {@link LabelsJson}, decimals written exactly. */
    private static final class Json {
        private final StringBuilder sb = new StringBuilder("{");

        private StringBuilder key(String key) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            return LabelsJson.appendString(sb, key).append(':');
        }

        Json text(String key, @Nullable String value) {
            if (value != null) {
                LabelsJson.appendString(key(key), value);
            }
            return this;
        }

        Json number(String key, @Nullable BigDecimal value) {
            if (value != null) {
                key(key).append(value.toPlainString());
            }
            return this;
        }

        void desk(@Nullable String strategyId, @Nullable String accountId, Set<String> tags) {
            text("strategy_id", strategyId).text("account_id", accountId);
            key("tags").append('[');
            boolean first = true;
            for (String tag : tags) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                LabelsJson.appendString(sb, tag);
            }
            sb.append(']');
        }

        String close() {
            return sb.append('}').toString();
        }
    }
}
