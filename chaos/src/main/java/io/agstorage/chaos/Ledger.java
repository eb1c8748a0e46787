package io.agstorage.chaos;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The set check of items with a unique key, as Jepsen's set workload does it: each item is recorded as sent before
 * the call and as acknowledged when the API said it was stored; the stored copies are then counted per key. An
 * acknowledged item must be stored exactly once, a sent one at most once, any other never.
 */
final class Ledger<K> {

    private final Set<K> sent = new HashSet<>();
    private final Set<K> acked = new HashSet<>();

    synchronized void sent(K key) {
        sent.add(key);
    }

    synchronized void acked(K key) {
        sent.add(key);
        acked.add(key);
    }

    synchronized int ackedCount() {
        return acked.size();
    }

    /** The result against {@code stored}, the number of stored copies of each key found in the database. */
    synchronized DoorResult check(String door, String unit, Map<K, Integer> stored, long errors) {
        long lost = acked.stream().filter(k -> stored.getOrDefault(k, 0) == 0).count();
        long duplicated = 0;
        for (Map.Entry<K, Integer> e : stored.entrySet()) {
            int allowed = sent.contains(e.getKey()) ? 1 : 0;
            duplicated += Math.max(0, e.getValue() - allowed);
        }
        return new DoorResult(door, unit, acked.size(), sent.size() - acked.size(), lost, duplicated, errors);
    }
}
