package dev.custos.audit;

import java.util.List;
import java.util.Locale;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.custos.catalog.CustosProperties;

/**
 * Appends events to the chain. The caller's transaction locks the one-row head ({@code audit_chain}), so sequence
 * numbers are handed out in commit order without gaps: a transaction that rolls back gives its numbers back with its
 * events. Each event's hash covers the hash before it; every {@code checkpoint-every} events the head is signed.
 * {@link AuditLog} calls this just before the transaction commits, so the head is locked only for the commit itself
 * and always last, after every row the transaction changed (no lock-order deadlocks).
 */
@Component
class AuditChain {

    /** The chain head as stored. {@code lastHash} is null while events from before the chain are unsealed. */
    record Head(long lastSequence, String lastHash, long lastAt, long firstSequence, String anchorHash) {
    }

    private final JdbcClient jdbc;
    private final boolean postgres;
    private final AuditCheckpoints checkpoints;
    private final Classification.Rules rules;
    private final int checkpointEvery;

    @Autowired
    AuditChain(JdbcClient jdbc, CustosProperties custos, AuditProperties properties, AuditCheckpoints checkpoints) {
        this(jdbc, custos.catalog().isPostgres(), properties, checkpoints);
    }

    AuditChain(JdbcClient jdbc, boolean postgres, AuditProperties properties, AuditCheckpoints checkpoints) {
        this.jdbc = jdbc;
        this.postgres = postgres;
        this.checkpoints = checkpoints;
        this.rules = new Classification.Rules(properties.compliance());
        this.checkpointEvery = properties.checkpointEvery();
    }

    Classification.Rules rules() {
        return rules;
    }

    /** Appends {@code drafts} in order; must run inside the transaction of the change they describe. */
    void append(List<AuditDraft> drafts, long now) {
        Head head = lockHead();
        if (head.lastHash() == null) {
            head = seal(head);
        }
        long sequence = head.lastSequence();
        String previous = head.lastHash();
        // Time never runs backwards along the chain, so sequence order and time order agree (a time range is a
        // sequence range); a clock stepped back makes events carry the last time seen until it catches up.
        long at = Math.max(now, head.lastAt());
        for (AuditDraft draft : drafts) {
            sequence++;
            AuditRecord record = draft.toRecord(sequence, at, null);
            String hash = record.expectedHash(previous);
            insert(draft, record, hash);
            previous = hash;
        }
        jdbc.sql("UPDATE audit_chain SET last_sequence = ?, last_hash = ?, last_at = ? WHERE id = 1")
                .params(sequence, previous, at).update();
        if (sequence / checkpointEvery > head.lastSequence() / checkpointEvery) {
            checkpoints.sign(sequence, previous, at);
        }
    }

    Head lockHead() {
        return jdbc.sql("SELECT last_sequence, last_hash, last_at, first_sequence, anchor_hash FROM audit_chain WHERE id = 1"
                        + (postgres ? " FOR UPDATE" : ""))
                .query((rs, n) -> new Head(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5)))
                .single();
    }

    Head head() {
        return jdbc.sql("SELECT last_sequence, last_hash, last_at, first_sequence, anchor_hash FROM audit_chain WHERE id = 1")
                .query((rs, n) -> new Head(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getString(5)))
                .single();
    }

    /**
     * Events written before the chain existed already have their sequence (the migration numbered them in time order);
     * here they are classified like new events and hashed, once, under the head's lock.
     */
    void sealUnsealed() {
        Head head = lockHead();
        if (head.lastHash() == null) {
            seal(head);
        }
    }

    private Head seal(Head head) {
        List<AuditRecord> legacy = jdbc.sql("SELECT " + AuditRows.COLUMNS
                        + " FROM audit_events WHERE sequence <= ? ORDER BY sequence")
                .param(head.lastSequence()).query(AuditRows.MAPPER).list();
        String previous = head.anchorHash();
        for (AuditRecord old : legacy) {
            AuditDraft draft = AuditDraft.reclassify(old, rules);
            AuditRecord record = draft.toRecord(old.sequence(), old.occurredAt(), null);
            String hash = record.expectedHash(previous);
            Classification c = draft.classification();
            jdbc.sql("""
                    UPDATE audit_events SET actor_type = :actorType, category = :category, severity = :severity,
                        sensitive_data_accessed = :sensitive, gdpr_relevant = :gdpr, sox_relevant = :sox,
                        hipaa_relevant = :hipaa, engine_id = :engineId, database_type = :databaseType, changes = :changes,
                        name_search = :nameSearch, search_text = :searchText, hash = :hash
                    WHERE id = :id
                    """)
                    .param("actorType", record.actorType()).param("category", c.category())
                    .param("severity", c.severity()).param("sensitive", c.sensitiveDataAccessed())
                    .param("gdpr", c.gdpr()).param("sox", c.sox()).param("hipaa", c.hipaa())
                    .param("engineId", record.engineId()).param("databaseType", record.databaseType())
                    .param("changes", draft.changesJson()).param("nameSearch", nameSearch(record))
                    .param("searchText", searchText(record)).param("hash", hash).param("id", old.id())
                    .update();
            previous = hash;
        }
        jdbc.sql("UPDATE audit_chain SET last_hash = ? WHERE id = 1").param(previous).update();
        return new Head(head.lastSequence(), previous, head.lastAt(), head.firstSequence(), head.anchorHash());
    }

    private void insert(AuditDraft draft, AuditRecord r, String hash) {
        Classification c = draft.classification();
        jdbc.sql("""
                INSERT INTO audit_events (id, sequence, occurred_at, action, resource_type, resource_id, resource_name,
                    user_id, user_email, actor_type, status, category, severity, sensitive_data_accessed, gdpr_relevant,
                    sox_relevant, hipaa_relevant, engine_id, database_type, details, before_value, after_value, changes,
                    error_message, ip_address, user_agent, request_id, http_method, http_path, name_search, search_text,
                    hash)
                VALUES (:id, :sequence, :at, :action, :type, :rid, :rname, :user, :email, :actorType, :status,
                    :category, :severity, :sensitive, :gdpr, :sox, :hipaa, :engineId, :databaseType, :details, :before,
                    :after, :changes, :error, :ip, :ua, :reqid, :method, :path, :nameSearch, :searchText, :hash)
                """)
                .param("id", r.id())
                .param("sequence", r.sequence())
                .param("at", r.occurredAt())
                .param("action", r.action())
                .param("type", r.resourceType())
                .param("rid", r.resourceId())
                .param("rname", r.resourceName())
                .param("user", r.userId())
                .param("email", r.userEmail())
                .param("actorType", r.actorType())
                .param("status", r.status())
                .param("category", c.category())
                .param("severity", c.severity())
                .param("sensitive", c.sensitiveDataAccessed())
                .param("gdpr", c.gdpr())
                .param("sox", c.sox())
                .param("hipaa", c.hipaa())
                .param("engineId", r.engineId())
                .param("databaseType", r.databaseType())
                .param("details", draft.detailsJson())
                .param("before", draft.beforeJson())
                .param("after", draft.afterJson())
                .param("changes", draft.changesJson())
                .param("error", r.errorMessage())
                .param("ip", r.ipAddress())
                .param("ua", r.userAgent())
                .param("reqid", r.requestId())
                .param("method", r.method())
                .param("path", r.path())
                .param("nameSearch", nameSearch(r))
                .param("searchText", searchText(r))
                .param("hash", hash)
                .update();
    }

    private static String nameSearch(AuditRecord r) {
        return r.resourceName() == null ? null : r.resourceName().toLowerCase(Locale.ROOT);
    }

    /** What {@code search} looks in: the resource's name and id and the user's id and email, lower-cased. */
    private static String searchText(AuditRecord r) {
        StringBuilder sb = new StringBuilder();
        for (String s : new String[] {r.resourceName(), r.resourceId(), r.userId(), r.userEmail()}) {
            if (s != null) {
                sb.append(s.toLowerCase(Locale.ROOT)).append('\n');
            }
        }
        return sb.toString();
    }
}
