package dev.custos.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.stereotype.Service;

import dev.custos.api.ApiException;

/** The audit trail's read side: queries, the values in use, and verification of the chain. */
@Service
class AuditService {

    /** Labels of the spec's values; any other value is labelled from its words. */
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("access_request", "Access Request"),
            Map.entry("settings_updated", "Update Settings"),
            Map.entry("backup_triggered", "Trigger Backup"),
            Map.entry("backup_deleted", "Delete Backup"),
            Map.entry("backup_deleted_bulk", "Delete Backups (Bulk)"),
            Map.entry("backup_downloaded", "Download Backup"),
            Map.entry("database_created", "Create Database"),
            Map.entry("database_updated", "Update Database"),
            Map.entry("database_deleted", "Delete Database"),
            Map.entry("policy_created", "Create Policy"),
            Map.entry("policy_updated", "Update Policy"),
            Map.entry("policy_deleted", "Delete Policy"),
            Map.entry("user_created", "Create User"),
            Map.entry("user_updated", "Update User"),
            Map.entry("user_deleted", "Delete User"),
            Map.entry("access_request_approved", "Approve Access"),
            Map.entry("access_request_rejected", "Reject Access"));

    /**
     * Where a list stops counting its matches unless asked for the exact number: the count of a large match is a scan
     * of it (a second or more at a million events), while every page is found in milliseconds.
     */
    static final long COUNT_LIMIT = 1000;

    /** And how long it counts at most (after the page is found), so that no combination of filters makes it slow. */
    static final long COUNT_BUDGET_NANOS = 10_000_000;

    /**
     * One page of events, newest first. {@code total} is exact when {@code totalExact}; otherwise at least
     * {@code total} events match.
     */
    record Page(List<AuditRecord> events, long total, boolean totalExact, boolean hasMore, Long nextCursor) {
    }

    /** Whether and how a list counts its matches. */
    enum Count {
        NONE, CAPPED, EXACT
    }

    private final AuditRepository repository;
    private final AuditChain chain;
    private final AuditCheckpoints checkpoints;
    private final AuditLog log;

    AuditService(AuditRepository repository, AuditChain chain, AuditCheckpoints checkpoints, AuditLog log) {
        this.repository = repository;
        this.chain = chain;
        this.checkpoints = checkpoints;
        this.log = log;
    }

    Page list(AuditQuery query, int limit, int offset, Long cursor, Count count) {
        List<AuditRecord> rows = repository.page(query, limit + 1, offset, cursor);
        boolean more = rows.size() > limit;
        List<AuditRecord> events = more ? rows.subList(0, limit) : rows;
        long total = -1;
        boolean exact = true;
        if (count == Count.EXACT) {
            total = repository.count(query);
        } else if (count == Count.CAPPED && !more && offset == 0 && cursor == null) {
            total = events.size(); // the first page holds every match
        } else if (count == Count.CAPPED) {
            AuditRepository.Tally tally = repository.count(query, COUNT_LIMIT, COUNT_BUDGET_NANOS);
            // An early stop is never less than what the page itself proves: the events before it (when it found
            // any: an offset past the end proves nothing), its own, and one more.
            long seen = cursor == null && !events.isEmpty() ? offset + events.size() + (more ? 1 : 0) : 0;
            total = tally.exact() ? tally.count() : Math.max(tally.count(), seen);
            exact = tally.exact();
        }
        Long next = more ? events.get(events.size() - 1).sequence() : null;
        return new Page(events, total, exact, more, next);
    }

    AuditRecord get(String id) {
        return repository.find(id).orElseThrow(() -> ApiException.notFound("Audit event '" + id + "' not found"));
    }

    List<Map<String, Object>> valuesInUse(String column) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String value : repository.distinct(column)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("value", value);
            m.put("label", label(value));
            out.add(m);
        }
        return out;
    }

    /**
     * Checks the chain from {@code from} to {@code to} (both optional: the whole retained chain). A full check trusts
     * only the anchor (the genesis, or the last purged event's hash); a check of a part trusts the stored hash of the
     * event before it.
     */
    ChainVerifier.Result verify(Long from, Long to) {
        // The highest stored sequence first, then the head: events appended meanwhile move the head past it, so only
        // rows written outside Custos can lie beyond the head.
        long stored = repository.maxSequence();
        AuditChain.Head head = chain.head();
        long first = from == null ? head.firstSequence() : from;
        long max = Math.max(head.lastSequence(), stored);
        long last = to == null ? max : to;
        if (from != null && from < head.firstSequence()) {
            throw ApiException.badRequest("from_sequence must be " + head.firstSequence()
                    + " or more: earlier events were archived and purged (got " + from + ")");
        }
        if (from != null && to != null && to < from) {
            throw ApiException.badRequest("to_sequence must not be less than from_sequence (got " + to + " < " + from + ")");
        }
        String previous;
        if (first == head.firstSequence()) {
            previous = head.anchorHash();
        } else {
            AuditRecord before = repository.atSequence(first - 1).orElse(null);
            if (before == null || before.hash() == null) {
                return new ChainVerifier.Result(false, 0, null, null, first - 1,
                        "event " + (first - 1) + ", which the range starts after, is missing", 0, null, 0);
            }
            previous = before.hash();
        }
        boolean whole = first == head.firstSequence() && to == null;
        ChainVerifier verifier = new ChainVerifier(first, previous, checkpoints.between(first, last),
                checkpoints.publicKey(), whole);
        repository.forEachBatch(first, last, verifier::acceptAll);
        // A check of the whole chain must end at the head; a check of a part ends where it was asked to.
        Long expectedLast = to == null ? Long.valueOf(head.lastSequence()) : (to <= max ? to : null);
        return verifier.finish(expectedLast);
    }

    /**
     * A check that found the trail tampered with is itself evidence: a critical event naming the first bad sequence,
     * appended to the chain it doubts (the chain's own integrity does not depend on the bad event).
     */
    void recordVerificationFailure(ChainVerifier.Result result) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("first_bad_sequence", result.firstBadSequence());
        details.put("problem", result.problem());
        details.put("checked_events", result.checkedEvents());
        log.failure(AuditEvent.of("audit_verification_failed", "audit", null, "Audit trail", details), result.problem());
    }

    /** An export hands the trail out: it is itself an event, written before the first byte is sent. */
    void recordExport(String format, Map<String, Object> filters) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("format", format);
        details.put("filters", filters);
        log.success(AuditEvent.of("audit_exported", "audit", null, "Audit trail", details));
    }

    PublicKeys.Key publicKey() {
        return checkpoints.publicKey();
    }

    List<Checkpoint> checkpoints(long fromSequence, long toSequence) {
        return checkpoints.between(fromSequence, toSequence);
    }

    static String label(String value) {
        String known = LABELS.get(value);
        if (known != null) {
            return known;
        }
        StringBuilder sb = new StringBuilder();
        for (String word : value.split("_")) {
            if (!word.isEmpty()) {
                sb.append(sb.isEmpty() ? "" : " ").append(word.substring(0, 1).toUpperCase(Locale.ROOT)).append(word.substring(1));
            }
        }
        return sb.toString();
    }
}
