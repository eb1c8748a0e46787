/**
 * The execution recorder: {@link io.agstorage.execution.ExecutionStore} records a trading bot's orders, their
 * status changes, fills and position snapshots through a local journal into TimescaleDB, never losing an
 * acknowledged record and never writing one twice.
 */
@NullMarked
package io.agstorage.execution;

import org.jspecify.annotations.NullMarked;
