package io.agstorage.chaos;

/** The faults a schedule draws from. */
enum Fault {
    /** {@code pg_ctl restart -m fast}: sessions are terminated, the server checkpoints and comes back. */
    RESTART_FAST,
    /** {@code pg_ctl restart -m immediate}: the server dies without a checkpoint and recovers from the WAL. */
    RESTART_IMMEDIATE,
    /** {@code pg_terminate_backend} of every writer's session. */
    TERMINATE_WRITERS,
    /** {@code pg_cancel_backend} of the writers' active statements, again and again for the fault's duration. */
    CANCEL_STATEMENTS,
    /** The proxy forwards nothing for the fault's duration (connections stay open). */
    PROXY_STALL,
    /** The proxy resets every connection and refuses new ones for the fault's duration. */
    PROXY_CUT,
    /** The writer role becomes read-only (sessions terminated to take it), then writable again. */
    READ_ONLY,
    /** {@code kill -9} of the OTLP receiver; it is restarted on the same spool. */
    KILL_RECEIVER,
    /** {@code kill -9} of the execution-store process; it is restarted on the same journal. */
    KILL_EXECUTION_STORE
}
