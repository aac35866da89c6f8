package dev.custos.catalog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Totals of list queries, cached per filter set until the table changes. The catalog keeps a version per table
 * in {@code catalog_versions}, bumped by triggers in the transaction of every write, so a write made by any Custos
 * process sharing the catalog invalidates every cached total at once. Reading the version is a primary-key
 * lookup; counting is a scan of every matching row.
 */
public final class CountCache<K> {

    private final JdbcClient jdbc;
    private final String table;
    private final int capacity;
    private long version = Long.MIN_VALUE;
    private final Map<K, Long> counts;

    public CountCache(JdbcClient jdbc, String table, int capacity) {
        this.jdbc = jdbc;
        this.table = table;
        this.capacity = capacity;
        this.counts = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Long> eldest) {
                return size() > CountCache.this.capacity;
            }
        };
    }

    /**
     * The cached total for the filters, or {@code count}'s answer, cached under the version read before counting:
     * a write committed in between leaves a total for a version no later request will ask for.
     */
    public long get(K filters, LongSupplier count) {
        long current = jdbc.sql("SELECT version FROM catalog_versions WHERE name = ?").param(table)
                .query(Long.class).single();
        synchronized (this) {
            if (current != version) {
                counts.clear();
                version = current;
            }
            Long cached = counts.get(filters);
            if (cached != null) {
                return cached;
            }
        }
        long total = count.getAsLong();
        synchronized (this) {
            if (current == version) {
                counts.put(filters, total);
            }
        }
        return total;
    }
}
