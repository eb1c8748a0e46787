package io.agstorage.execution.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.agstorage.core.StorageEngine;
import io.agstorage.core.retention.RetentionManager;
import io.agstorage.core.retention.RetentionReport;
import io.agstorage.core.retention.RetentionReport.TableRetention;
import io.agstorage.core.testing.DatabaseExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Finished orders past {@code retention.execution_retention_days} are deleted by retention (Apache tier), and only
 * they: an open order, a recent one, and one whose fill or event is still kept stay.
 */
class OrderRetentionIT {

    @RegisterExtension
    final DatabaseExtension db = DatabaseExtension.apache("ret_orders");

    private void order(String key, String status, int updatedDaysAgo) {
        db.execute("INSERT INTO " + db.table("orders")
                + " (id, venue, market, side, order_type, time_in_force, price, size, status, created_at, updated_at)"
                + " VALUES (md5('" + key + "')::uuid, 'polymarket', 'mkt', 'BUY', 'LIMIT', 'GTC', 0.5, 10, '" + status
                + "', now() - INTERVAL '" + (updatedDaysAgo + 1) + " days', now() - INTERVAL '" + updatedDaysAgo
                + " days')");
    }

    private boolean exists(String key) {
        return db.queryLong("SELECT count(*) FROM " + db.table("orders") + " WHERE id = md5('" + key + "')::uuid") == 1;
    }

    @Test
    void finishedOrdersPastTheExecutionRetentionAreDeletedAndLiveOnesKept() {
        try (StorageEngine engine =
                StorageEngine.create(db.config().setExecutionRetentionDays(365).build())) {
            order("filled-old", "FILLED", 400);
            order("cancelled-old", "CANCELLED", 400);
            order("rejected-old", "REJECTED", 400);
            order("expired-old", "EXPIRED", 400);
            order("open-old", "ACCEPTED", 400);
            order("partial-old", "PARTIALLY_FILLED", 400);
            order("filled-recent", "FILLED", 10);
            order("filled-old-with-fill", "FILLED", 400);
            order("filled-old-with-event", "FILLED", 400);
            db.execute("INSERT INTO " + db.table("fills")
                    + " (venue_trade_time, venue, venue_trade_id, order_id, market, side, price, size, "
                    + "settlement_status) VALUES (now() - INTERVAL '10 days', 'polymarket', 't1', "
                    + "md5('filled-old-with-fill')::uuid, 'mkt', 'BUY', 0.5, 10, 'MATCHED')");
            db.execute("INSERT INTO " + db.table("order_events")
                    + " (time, event_id, order_id, status, size) VALUES (now() - INTERVAL '10 days', "
                    + "md5('e1')::uuid, md5('filled-old-with-event')::uuid, 'FILLED', 10)");

            RetentionReport report = RetentionManager.create(engine).runRetention();

            assertThat(report.tables())
                    .filteredOn(t -> t.table().equals("orders"))
                    .extracting(TableRetention::rowsRemoved)
                    .containsExactly(4L);
            assertThat(exists("filled-old")).isFalse();
            assertThat(exists("cancelled-old")).isFalse();
            assertThat(exists("rejected-old")).isFalse();
            assertThat(exists("expired-old")).isFalse();
            assertThat(exists("open-old")).as("not finished").isTrue();
            assertThat(exists("partial-old")).as("not finished").isTrue();
            assertThat(exists("filled-recent")).as("within the retention").isTrue();
            assertThat(exists("filled-old-with-fill"))
                    .as("a kept fill refers to it")
                    .isTrue();
            assertThat(exists("filled-old-with-event"))
                    .as("a kept event refers to it")
                    .isTrue();
            assertThat(RetentionManager.create(engine).runRetention().tables())
                    .filteredOn(t -> t.table().equals("orders"))
                    .extracting(TableRetention::rowsRemoved)
                    .containsExactly(0L);
        }
    }
}
