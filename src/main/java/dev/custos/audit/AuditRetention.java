package dev.custos.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.api.ApiException;
import dev.custos.catalog.Filters;
import dev.custos.catalog.Timestamps;

/**
 * Retention of the audit trail ({@code 004_*}): operation events (what Custos did by itself) are kept a year, user
 * actions for ever, both configurable. Expired events are first written to backup storage as signed JSONL segments
 * (checked like an export), then emptied in the catalog: each keeps its sequence and hash, so the chain stays whole
 * and verifiable, and an {@code audit_archived} event records the segment, its events and a digest of their places
 * in the chain. Nothing is emptied unless its segment was stored.
 */
@Component
class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    /** What one run archived. */
    record Report(int segments, long events, Long firstSequence, Long lastSequence, List<String> keys) {

        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("segments", segments);
            m.put("events", events);
            m.put("first_sequence", firstSequence);
            m.put("last_sequence", lastSequence);
            m.put("archives", keys);
            return m;
        }
    }

    private final JdbcClient jdbc;
    private final AuditRepository repository;
    private final AuditExport export;
    private final AuditLog audit;
    private final AuditArchive archive;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Duration operationEvents;
    private final Duration userActions;
    private final int segmentSize;

    AuditRetention(JdbcClient jdbc, AuditRepository repository, AuditExport export, AuditLog audit,
            Optional<AuditArchive> archive, PlatformTransactionManager transactions, Clock clock,
            AuditProperties properties) {
        this.jdbc = jdbc;
        this.repository = repository;
        this.export = export;
        this.audit = audit;
        this.archive = archive.orElse(null);
        this.tx = new TransactionTemplate(transactions);
        this.clock = clock;
        this.operationEvents = properties.operationEventRetention();
        this.userActions = properties.userActionRetention();
        this.segmentSize = properties.archiveSegmentSize();
    }

    /** Archives every event expired now, a segment at a time. */
    synchronized Report archiveExpired() {
        if (archive == null) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                    "No storage is configured to archive audit events to");
        }
        long now = clock.millis();
        List<String> keys = new ArrayList<>();
        long events = 0;
        Long first = null;
        Long last = null;
        while (true) {
            List<AuditRepository.Linked> batch = expired(now);
            if (batch.isEmpty()) {
                break;
            }
            String key = archiveSegment(batch, now);
            keys.add(key);
            events += batch.size();
            if (first == null) {
                first = batch.get(0).event().sequence();
            }
            last = batch.get(batch.size() - 1).event().sequence();
            if (batch.size() < segmentSize) {
                break;
            }
        }
        if (events > 0) {
            log.info("Archived {} audit events ({} to {}) in {} segment(s)", events, first, last, keys.size());
        }
        return new Report(keys.size(), events, first, last, keys);
    }

    /** The oldest expired events still holding their content, at most a segment's worth. */
    private List<AuditRepository.Linked> expired(long now) {
        Filters f = criteria(now);
        return jdbc.sql("SELECT " + AuditRows.COLUMNS + ", (SELECT p.hash FROM audit_events p WHERE p.sequence ="
                        + " audit_events.sequence - 1) AS previous_hash FROM audit_events" + f.where()
                        + " ORDER BY sequence LIMIT " + segmentSize)
                .params(f.params())
                .query((rs, n) -> new AuditRepository.Linked(AuditRows.MAPPER.mapRow(rs, n), rs.getString("previous_hash")))
                .list();
    }

    /**
     * Which events have expired: operation events older than their retention, user actions older than theirs (never,
     * by default). The records of earlier archives stay: they prove what each archive emptied.
     */
    private Filters criteria(long now) {
        // The cut-offs are numbers Custos computed, never input, so they are written into the condition.
        String operations = "(actor_type = 'system' AND occurred_at < " + (now - operationEvents.toMillis()) + ")";
        String users = forever(userActions) ? null
                : "(actor_type <> 'system' AND occurred_at < " + (now - userActions.toMillis()) + ")";
        Filters f = new Filters().condition("archived_in IS NULL").condition("action <> 'audit_archived'");
        if (forever(operationEvents)) {
            return users == null ? f.condition("1 = 0") : f.condition(users);
        }
        return f.condition(users == null ? operations : "(" + operations + " OR " + users + ")");
    }

    private static boolean forever(Duration retention) {
        return retention.isZero() || retention.isNegative();
    }

    private String archiveSegment(List<AuditRepository.Linked> batch, long now) {
        long first = batch.get(0).event().sequence();
        long last = batch.get(batch.size() - 1).event().sequence();
        String key = "audit/archive/" + String.format("%012d-%012d-%d", first, last, now) + ".jsonl";
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("archive", key);
        about.put("operation_events_kept", operationEvents.toString());
        about.put("user_actions_kept", forever(userActions) ? "forever" : userActions.toString());
        try {
            archive.store(key, out -> export.segment(batch, about, out, now));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not store the audit archive " + key + "; nothing was emptied", e);
        }
        MessageDigest digest = ExportSeal.newDigest();
        for (AuditRepository.Linked l : batch) {
            ExportSeal.addLink(digest, l.event().sequence(), l.event().hash());
        }
        String hex = ExportSeal.hex(digest);
        tx.executeWithoutResult(s -> {
            Filters f = criteria(now);
            f.add("sequence >= :first", "first", first).add("sequence <= :last", "last", last);
            int emptied = jdbc.sql("UPDATE audit_events SET archived_in = :key, resource_name = NULL, user_email = NULL,"
                            + " details = NULL, before_value = NULL, after_value = NULL, changes = NULL, error_message = NULL,"
                            + " ip_address = NULL, user_agent = NULL, name_search = NULL, search_text = NULL" + f.where())
                    .params(f.params()).param("key", key).update();
            if (emptied != batch.size()) {
                // Someone else archived (or changed) these events meanwhile: leave them for the next run.
                s.setRollbackOnly();
                log.warn("Audit archive {}: {} events matched when emptying, {} were written; not emptied", key,
                        emptied, batch.size());
                return;
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("segment", key);
            details.put("events", (long) batch.size());
            details.put("first_sequence", first);
            details.put("last_sequence", last);
            details.put("digest", hex);
            details.put("operation_events_kept", about.get("operation_events_kept"));
            details.put("user_actions_kept", about.get("user_actions_kept"));
            audit.success(AuditEvent.of("audit_archived", "audit", key, "Audit archive", details));
        });
        return key;
    }
}
