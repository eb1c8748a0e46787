package io.agstorage.core.internal;

/**
 * How far a spool's records are committed: the records before {@code sequence} whole, and the first {@code entries}
 * entries of that one ({@code spool_watermarks}). {@link #NONE} when nothing is.
 */
public record SpoolPosition(long sequence, int entries) {

    public static final SpoolPosition NONE = new SpoolPosition(0, 0);
}
