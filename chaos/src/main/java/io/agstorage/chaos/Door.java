package io.agstorage.chaos;

import java.sql.Connection;

/** One way data enters ag-storage, driven with known data during the run and checked at the end. */
interface Door extends AutoCloseable {

    String name();

    /** Starts writing, on threads or processes of its own. */
    void start() throws Exception;

    /** Stops writing and waits for the calls in flight to return. */
    void stop() throws Exception;

    /**
     * After the faults: brings what was acknowledged but may not be in the database yet there (flush, replay), as
     * the door's API promises it will be; bounded in time.
     */
    void settle() throws Exception;

    /** Compares what the database holds with what was acknowledged and sent. */
    DoorResult check(Connection db) throws Exception;

    @Override
    void close() throws Exception;
}
