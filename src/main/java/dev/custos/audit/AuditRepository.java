package dev.custos.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.Filters;

/**
 * Reads the audit trail. Every list is newest first by sequence, which the chain keeps in time order, so a time
 * filter becomes a range of sequence numbers (found with the time index) and every other filter uses its own
 * {@code (column, sequence)} index; deep pages use the sequence as a keyset cursor instead of an offset. The
 * partial-match filters ({@code search}, {@code resource_name}) read a trigram index: on PostgreSQL pg_trgm's, which
 * the planner picks for {@code LIKE}; on SQLite the full-text table {@code audit_search}, whose rowid is the sequence,
 * joined to the events and read newest first.
 */
@Repository
class AuditRepository {

    /** Sequence numbers of a time window, both inclusive; empty when nothing happened in it. */
    record Span(long first, long last) {
    }

    /**
     * The newest window of sequence numbers a bounded count reads; each next one is four times as long, up to
     * {@code LAST_WINDOW}, so that no one window runs far past the time budget.
     */
    private static final long FIRST_WINDOW = 8192;
    private static final long LAST_WINDOW = 1 << 19;

    /** A trigram index holds texts of this many characters or more; a shorter one is matched by a scan. */
    private static final int TRIGRAM = 3;

    /**
     * What a query reads ({@code from}) and orders by: the events' sequence, or the search table's rowid (the same
     * number) when that table leads the join, so that its index gives the order and stops at the page's end.
     */
    private record Source(String from, String order, Filters filters) {
    }

    private final JdbcClient jdbc;
    private final boolean postgres;

    @Autowired
    AuditRepository(JdbcClient jdbc, CustosProperties custos) {
        this(jdbc, custos.catalog().isPostgres());
    }

    AuditRepository(JdbcClient jdbc, boolean postgres) {
        this.jdbc = jdbc;
        this.postgres = postgres;
    }

    /** One page: {@code limit} events after {@code offset} ones, or before sequence {@code cursor} when given. */
    List<AuditRecord> page(AuditQuery q, int limit, int offset, Long cursor) {
        Optional<Source> source = source(q);
        if (source.isEmpty()) {
            return List.of();
        }
        Source s = source.get();
        Filters f = s.filters();
        if (cursor != null) {
            f.add(s.order() + " < :cursor", "cursor", cursor);
        }
        int skip = offset;
        if (cursor == null && offset > 0 && !q.filtersBeyondTime()) {
            // Every event of a time window is there (the sequence is gap-free), so the page that starts `offset`
            // events below the newest starts at a known sequence number: no need to step over the ones before it.
            Span span = span(q).orElse(null);
            if (span == null || span.last() - offset < span.first()) {
                return List.of();
            }
            f.add(s.order() + " <= :top", "top", span.last() - offset);
            skip = 0;
        }
        return jdbc.sql("SELECT " + AuditRows.COLUMNS + " FROM " + s.from() + f.where()
                        + " ORDER BY " + s.order() + " DESC LIMIT " + limit + " OFFSET " + skip)
                .params(f.params()).query(AuditRows.MAPPER).list();
    }

    /** A count of matching events; when not {@code exact}, at least {@code count} match. */
    record Tally(long count, boolean exact) {
    }

    /** How many events match: all of them, however long that takes. */
    long count(AuditQuery q) {
        Optional<Span> span = span(q);
        if (span.isEmpty()) {
            return 0;
        }
        if (!q.filtersBeyondTime()) {
            // The sequence is gap-free, so a window's size is the difference of its ends.
            return span.get().last() - span.get().first() + 1;
        }
        Source s = source(q).orElseThrow();
        Filters f = s.filters();
        return jdbc.sql("SELECT COUNT(*) FROM " + s.from() + f.where()).params(f.params()).query(Long.class).single();
    }

    /**
     * How many events match, newest first, stopping once more than {@code upTo} are found or {@code budgetNanos} have
     * passed. Counting a large match to its end is a scan of it, and a rare combination of filters that no index
     * covers is a scan of the rows of its most selective one; here the sequence range is counted in windows that grow
     * from the newest end, each an index range scan, and the count stops between two windows.
     */
    Tally count(AuditQuery q, long upTo, long budgetNanos) {
        return count(q, upTo, budgetNanos, FIRST_WINDOW);
    }

    Tally count(AuditQuery q, long upTo, long budgetNanos, long firstWindow) {
        long started = System.nanoTime();
        Optional<Span> span = span(q);
        if (span.isEmpty()) {
            return new Tally(0, true);
        }
        if (!q.filtersBeyondTime()) {
            return new Tally(span.get().last() - span.get().first() + 1, true);
        }
        Source s = source(q).orElseThrow();
        long found = 0;
        long window = firstWindow;
        for (long high = span.get().last(); high >= span.get().first();
                high -= window, window = Math.min(window * 4, LAST_WINDOW)) {
            long low = Math.max(span.get().first(), high - window + 1);
            Filters f = s.filters().copy();
            f.add(s.order() + " >= :windowLow", "windowLow", low);
            f.add(s.order() + " <= :windowHigh", "windowHigh", high);
            found += jdbc.sql("SELECT COUNT(*) FROM (SELECT 1 FROM " + s.from() + f.where() + " LIMIT "
                            + (upTo + 1 - found) + ") matching").params(f.params()).query(Long.class).single();
            if (found > upTo) {
                return new Tally(upTo, false);
            }
            if (low > span.get().first() && System.nanoTime() - started > budgetNanos) {
                return new Tally(found, false);
            }
        }
        return new Tally(found, true);
    }

    Optional<AuditRecord> find(String id) {
        return jdbc.sql("SELECT " + AuditRows.COLUMNS + " FROM audit_events WHERE id = ?").param(id)
                .query(AuditRows.MAPPER).optional();
    }

    Optional<AuditRecord> atSequence(long sequence) {
        return jdbc.sql("SELECT " + AuditRows.COLUMNS + " FROM audit_events WHERE sequence = ?").param(sequence)
                .query(AuditRows.MAPPER).optional();
    }

    /**
     * The distinct values of {@code column} (a constant, never input), read by skipping through its index rather
     * than scanning the table: one index probe per value.
     */
    List<String> distinct(String column) {
        return jdbc.sql("WITH RECURSIVE v(value) AS (SELECT MIN(" + column + ") FROM audit_events UNION ALL SELECT (SELECT MIN("
                        + column + ") FROM audit_events WHERE " + column + " > v.value) FROM v WHERE v.value IS NOT NULL) "
                        + "SELECT value FROM v WHERE value IS NOT NULL")
                .query(String.class).list();
    }

    private static final int BATCH = 5000;

    /**
     * Reads events {@code from}..{@code to} in sequence order, a batch at a time, until {@code consumer} returns false.
     * The next batch is read (and its rows decoded) on a thread of its own while the consumer handles this one.
     */
    void forEachBatch(long from, long to, Predicate<List<AuditRecord>> consumer) {
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "audit-read-ahead");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<List<AuditRecord>> next = reader.submit(() -> batch(from, to));
            while (next != null) {
                List<AuditRecord> rows = await(next);
                next = null;
                if (rows.size() == BATCH && rows.get(BATCH - 1).sequence() < to) {
                    long after = rows.get(BATCH - 1).sequence() + 1;
                    next = reader.submit(() -> batch(after, to));
                }
                if (rows.isEmpty() || !consumer.test(rows)) {
                    return;
                }
            }
        } finally {
            reader.shutdownNow();
        }
    }

    private List<AuditRecord> batch(long from, long to) {
        return jdbc.sql("SELECT " + AuditRows.COLUMNS
                        + " FROM audit_events WHERE sequence >= ? AND sequence <= ? ORDER BY sequence LIMIT " + BATCH)
                .params(from, to).query(AuditRows.MAPPER).list();
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("Reading the audit trail failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the audit trail", e);
        }
    }

    /** An event with the stored hash of the event before it in the chain (null for the first retained one). */
    record Linked(AuditRecord event, String previousHash) {
    }

    /**
     * Reads the events matching {@code q} oldest first, each with the hash of its predecessor in the chain (which an
     * export carries so that even a filtered export can be checked event by event), in batches.
     */
    void forEachMatching(AuditQuery q, Consumer<Linked> consumer) {
        Optional<Source> source = source(q);
        if (source.isEmpty()) {
            return;
        }
        Source s = source.get();
        long after = 0;
        int batch = 2000;
        while (true) {
            Filters f = s.filters();
            Map<String, Object> params = new HashMap<>(f.params());
            params.put("after", after);
            String next = s.order() + " > :after";
            String where = f.where().isEmpty() ? " WHERE " + next : f.where() + " AND " + next;
            List<Linked> rows = jdbc.sql("SELECT " + AuditRows.COLUMNS + ", (SELECT p.hash FROM audit_events p"
                            + " WHERE p.sequence = audit_events.sequence - 1) AS previous_hash FROM " + s.from() + where
                            + " ORDER BY " + s.order() + " LIMIT " + batch)
                    .params(params)
                    .query((rs, n) -> new Linked(AuditRows.MAPPER.mapRow(rs, n), rs.getString("previous_hash"))).list();
            rows.forEach(consumer);
            if (rows.size() < batch) {
                return;
            }
            after = rows.get(rows.size() - 1).event().sequence();
        }
    }

    /** The highest sequence in the table (which an intruder may have pushed past the head). */
    long maxSequence() {
        Long max = jdbc.sql("SELECT MAX(sequence) FROM audit_events").query(Long.class).single();
        return max == null ? 0 : max;
    }

    /**
     * Where the query reads and its filters as a WHERE clause, the time window turned into a sequence range; empty
     * when the window holds no event (so the query need not run).
     */
    private Optional<Source> source(AuditQuery q) {
        Filters f = new Filters();
        String from = "audit_events";
        String order = "sequence";
        String search = q.search();
        String resourceName = q.resourceName();
        if (!postgres) {
            List<String> phrases = new ArrayList<>();
            if (indexable(search)) {
                phrases.add("search_text : " + phrase(search));
                search = null;
            }
            if (indexable(resourceName)) {
                phrases.add("name_search : " + phrase(resourceName));
                resourceName = null;
            }
            if (!phrases.isEmpty()) {
                from = "audit_search JOIN audit_events ON audit_events.sequence = audit_search.rowid";
                order = "audit_search.rowid";
                f.add("audit_search MATCH :match", "match", String.join(" AND ", phrases));
            }
        }
        if (q.from() != null || q.until() != null) {
            Optional<Span> span = span(q);
            if (span.isEmpty()) {
                return Optional.empty();
            }
            f.add(order + " >= :firstSeq", "firstSeq", span.get().first());
            f.add(order + " <= :lastSeq", "lastSeq", span.get().last());
        }
        f.add("action = :action", "action", q.action())
                .add("resource_type = :resourceType", "resourceType", q.resourceType())
                .add("resource_id = :resourceId", "resourceId", q.resourceId())
                .add("status = :status", "status", q.status())
                .add("database_type = :databaseType", "databaseType", q.databaseType())
                .add("engine_id = :engineId", "engineId", q.engineId())
                .add("user_id = :userId", "userId", q.userId())
                .add("category = :category", "category", q.category())
                .add("severity = :severity", "severity", q.severity())
                .add("request_id = :requestId", "requestId", q.requestId())
                .contains(List.of("audit_events.search_text"), "search", search)
                .contains(List.of("audit_events.name_search"), "resourceName", resourceName);
        f.in("action", "actions", q.actions());
        flag(f, "sensitive_data_accessed", q.sensitiveDataAccessed());
        flag(f, "gdpr_relevant", q.gdprRelevant());
        flag(f, "sox_relevant", q.soxRelevant());
        flag(f, "hipaa_relevant", q.hipaaRelevant());
        return Optional.of(new Source(from, order, f));
    }

    private static boolean indexable(String text) {
        return text != null && text.trim().codePointCount(0, text.trim().length()) >= TRIGRAM;
    }

    /**
     * The text as an FTS5 phrase: lower-cased like the indexed columns, quoted, with its quotes doubled. Over trigrams
     * a phrase matches exactly the texts that contain it, as {@code LIKE '%text%'} would.
     */
    private static String phrase(String text) {
        return "\"" + text.trim().toLowerCase(Locale.ROOT).replace("\"", "\"\"") + "\"";
    }

    private static void flag(Filters f, String column, Boolean value) {
        if (value != null) {
            // Written as the partial indexes' predicate, so SQLite uses them for the true case.
            f.condition(column + (value ? " = TRUE" : " = FALSE"));
        }
    }

    /** The sequence numbers of the events in the query's time window. */
    Optional<Span> span(AuditQuery q) {
        Long first = q.from() == null
                ? jdbc.sql("SELECT MIN(sequence) FROM audit_events").query(Long.class).single()
                : jdbc.sql("SELECT sequence FROM audit_events WHERE occurred_at >= ? ORDER BY occurred_at, sequence LIMIT 1")
                        .param(q.from()).query(Long.class).optional().orElse(null);
        Long last = q.until() == null
                ? jdbc.sql("SELECT MAX(sequence) FROM audit_events").query(Long.class).single()
                : jdbc.sql("SELECT sequence FROM audit_events WHERE occurred_at < ? ORDER BY occurred_at DESC, sequence DESC"
                        + " LIMIT 1").param(q.until()).query(Long.class).optional().orElse(null);
        if (first == null || last == null || first > last) {
            return Optional.empty();
        }
        return Optional.of(new Span(first, last));
    }
}
