/**
 * The chaos run of {@code scripts/chaos}: every door of ag-storage writes known data at once while a seeded schedule
 * of faults runs against the database, the network and the processes; at the end a set check says, per door, how
 * many acknowledged items were lost or stored more than once. Not an API: a harness, not published.
 */
@NullMarked
package io.agstorage.chaos;

import org.jspecify.annotations.NullMarked;
