package dev.custos.audit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.custos.catalog.Filters;

/**
 * Reads the audit trail. Every list is newest first by sequence, which the chain keeps in time order, so a time
 * filter becomes a range of sequence numbers (found with the time index) and every other filter uses its own
 * {@code (column, sequence)} index; deep pages use the sequence as a keyset cursor instead of an offset.
 */
@Repository
class AuditRepository {

    /** Sequence numbers of a time window, both inclusive; empty when nothing happened in it. */
    record Span(long first, long last) {
    }

    private final JdbcClient jdbc;

    AuditRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One page: {@code limit} events after {@code offset} ones, or before sequence {@code cursor} when given. */
    List<AuditRecord> page(AuditQuery q, int limit, int offset, Long cursor) {
        Optional<Filters> filters = filters(q);
        if (filters.isEmpty()) {
            return List.of();
        }
        Filters f = filters.get();
        if (cursor != null) {
            f.add("sequence < :cursor", "cursor", cursor);
        }
        return jdbc.sql("SELECT " + AuditRows.COLUMNS + " FROM audit_events" + f.where()
                        + " ORDER BY sequence DESC LIMIT " + limit + " OFFSET " + offset)
                .params(f.params()).query(AuditRows.MAPPER).list();
    }

    long count(AuditQuery q) {
        Optional<Span> span = span(q);
        if (span.isEmpty()) {
            return 0;
        }
        if (!q.filtersBeyondTime()) {
            // The sequence is gap-free, so a window's size is the difference of its ends.
            return span.get().last() - span.get().first() + 1;
        }
        Filters f = filters(q).orElseThrow();
        return jdbc.sql("SELECT COUNT(*) FROM audit_events" + f.where()).params(f.params()).query(Long.class).single();
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

    /** Reads events {@code from}..{@code to} in sequence order, in batches, until {@code consumer} returns false. */
    void forEach(long from, long to, Predicate<AuditRecord> consumer) {
        long next = from;
        int batch = 5000;
        while (next <= to) {
            List<AuditRecord> rows = jdbc.sql("SELECT " + AuditRows.COLUMNS
                            + " FROM audit_events WHERE sequence >= ? AND sequence <= ? ORDER BY sequence LIMIT " + batch)
                    .params(next, to).query(AuditRows.MAPPER).list();
            for (AuditRecord r : rows) {
                if (!consumer.test(r)) {
                    return;
                }
            }
            if (rows.size() < batch) {
                return;
            }
            next = rows.get(rows.size() - 1).sequence() + 1;
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
        Optional<Filters> filters = filters(q);
        if (filters.isEmpty()) {
            return;
        }
        long after = 0;
        int batch = 2000;
        while (true) {
            Filters f = filters.get();
            Map<String, Object> params = new HashMap<>(f.params());
            params.put("after", after);
            String where = f.where().isEmpty() ? " WHERE sequence > :after" : f.where() + " AND sequence > :after";
            List<Linked> rows = jdbc.sql("SELECT " + AuditRows.COLUMNS + ", (SELECT p.hash FROM audit_events p"
                            + " WHERE p.sequence = audit_events.sequence - 1) AS previous_hash FROM audit_events" + where
                            + " ORDER BY sequence LIMIT " + batch)
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
     * The filters as a WHERE clause, the time window turned into a sequence range; empty when the window holds no
     * event (so the query need not run).
     */
    private Optional<Filters> filters(AuditQuery q) {
        Filters f = new Filters();
        if (q.from() != null || q.until() != null) {
            Optional<Span> span = span(q);
            if (span.isEmpty()) {
                return Optional.empty();
            }
            f.add("sequence >= :firstSeq", "firstSeq", span.get().first());
            f.add("sequence <= :lastSeq", "lastSeq", span.get().last());
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
                .contains(List.of("search_text"), "search", q.search())
                .contains(List.of("name_search"), "resourceName", q.resourceName());
        f.in("action", "actions", q.actions());
        flag(f, "sensitive_data_accessed", q.sensitiveDataAccessed());
        flag(f, "gdpr_relevant", q.gdprRelevant());
        flag(f, "sox_relevant", q.soxRelevant());
        flag(f, "hipaa_relevant", q.hipaaRelevant());
        return Optional.of(f);
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
