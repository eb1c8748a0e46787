package io.agstorage.core.internal;

/**
 * The series an engine knows, by 64-bit fingerprint, each with the database id last resolved for it and when. The id
 * is stored with a second, independent 64-bit hash of the series and handed back only to a series with the same one
 * (128 bits in all), so that two series whose fingerprints collide are counted as one but never share an id.
 *
 * <p>Open addressing with linear probing, grown by doubling at half full: 32 bytes a slot, so 64 to 128 bytes a series.
 * 0 marks an empty slot, so a fingerprint of 0 is kept as 1. Not thread-safe.
 */
final class FingerprintTable {

    private long[] keys = new long[1024];
    private long[] checks = new long[1024];
    private long[] ids = new long[1024];
    private long[] resolvedAt = new long[1024];
    private int size;

    /** Whether the series with this fingerprint is known. */
    boolean contains(long fingerprint) {
        return slot(fingerprint) >= 0;
    }

    /** Adds the series with this fingerprint, without an id; false when it was known already. */
    boolean add(long fingerprint) {
        if (contains(fingerprint)) {
            return false;
        }
        if ((size + 1) * 2L > keys.length) {
            grow();
        }
        keys[free(keys, key(fingerprint))] = key(fingerprint);
        size++;
        return true;
    }

    /** Remembers the id of a known series (a series not known is left alone), resolved at {@code atNanos}. */
    void remember(long fingerprint, long check, long id, long atNanos) {
        int i = slot(fingerprint);
        if (i >= 0) {
            checks[i] = check;
            ids[i] = id;
            resolvedAt[i] = atNanos;
        }
    }

    /**
     * The slot of the series with this fingerprint and check whose id is remembered, or -1; read it with {@link #id}
     * and {@link #resolvedAt}.
     */
    int withId(long fingerprint, long check) {
        int i = slot(fingerprint);
        return i >= 0 && ids[i] != 0 && checks[i] == check ? i : -1;
    }

    long id(int slot) {
        return ids[slot];
    }

    long resolvedAt(int slot) {
        return resolvedAt[slot];
    }

    int size() {
        return size;
    }

    private static long key(long fingerprint) {
        return fingerprint == 0 ? 1 : fingerprint;
    }

    private static int home(long key, int mask) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    private int slot(long fingerprint) {
        long key = key(fingerprint);
        int mask = keys.length - 1;
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return i;
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    /** The empty slot where {@code key} goes in {@code table} (which holds it not). */
    private static int free(long[] table, long key) {
        int mask = table.length - 1;
        int i = home(key, mask);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        if (keys.length >= 1 << 30) {
            throw new IllegalStateException("more than " + (keys.length / 2) + " series known to one engine");
        }
        int n = keys.length * 2;
        long[] k2 = new long[n];
        long[] c2 = new long[n];
        long[] i2 = new long[n];
        long[] r2 = new long[n];
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                int j = free(k2, keys[i]);
                k2[j] = keys[i];
                c2[j] = checks[i];
                i2[j] = ids[i];
                r2[j] = resolvedAt[i];
            }
        }
        keys = k2;
        checks = c2;
        ids = i2;
        resolvedAt = r2;
    }
}
