package dev.custos.catalog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Answers of list queries (totals, pages), cached per key until what they read changes. The catalog keeps a version
 * per list in {@code catalog_versions}, bumped by triggers in the transaction of every write to a table the list
 * reads, so a write made by any Custos process sharing the catalog invalidates every cached answer at once. Reading
 * the version is a primary-key lookup; answering is a scan or a page of rows read and decoded.
 *
 * <p>Values must be immutable: one is handed to every request that asks for its key.
 */
public final class VersionedCache<K, V> {

    private final JdbcClient jdbc;
    private final String list;
    private final int capacity;
    private long version = Long.MIN_VALUE;
    private final Map<K, V> values;

    /**
     * @param list     the row of {@code catalog_versions} whose version covers every table the answers read
     * @param capacity the most answers kept, least recently used dropped first
     */
    public VersionedCache(JdbcClient jdbc, String list, int capacity) {
        this.jdbc = jdbc;
        this.list = list;
        this.capacity = capacity;
        this.values = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > VersionedCache.this.capacity;
            }
        };
    }

    /**
     * The cached answer for the key, or {@code compute}'s, cached under the version read before computing: a write
     * committed in between leaves an answer for a version no later request will ask for.
     */
    public V get(K key, Supplier<V> compute) {
        long current = jdbc.sql("SELECT version FROM catalog_versions WHERE name = ?").param(list)
                .query(Long.class).single();
        synchronized (this) {
            if (current != version) {
                values.clear();
                version = current;
            }
            V cached = values.get(key);
            if (cached != null) {
                return cached;
            }
        }
        V value = compute.get();
        synchronized (this) {
            if (current == version) {
                values.put(key, value);
            }
        }
        return value;
    }
}
