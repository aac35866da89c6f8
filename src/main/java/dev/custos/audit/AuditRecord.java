package dev.custos.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.custos.catalog.Timestamps;

/**
 * One event of the audit trail as stored and shown: who (user, actor type), what (action, status, details, the values
 * before and after and their field-level diff), which resource, when (UTC, milliseconds), where from (address, agent,
 * request id, method and path), how it is classified, and its place in the chain (sequence and hash).
 * {@code details}, {@code before}, {@code after} and {@code changes} are JSON trees (maps, lists, scalars). An
 * archived event ({@code archivedIn} set) keeps only its place in the chain; its content is in the archive segment.
 */
public record AuditRecord(
        String id,
        long sequence,
        long occurredAt,
        String action,
        String resourceType,
        String resourceId,
        String resourceName,
        String userId,
        String userEmail,
        String actorType,
        String status,
        String category,
        String severity,
        boolean sensitiveDataAccessed,
        boolean gdprRelevant,
        boolean soxRelevant,
        boolean hipaaRelevant,
        String engineId,
        String databaseType,
        Object details,
        Object before,
        Object after,
        Object changes,
        String errorMessage,
        String ipAddress,
        String userAgent,
        String requestId,
        String method,
        String path,
        String hash,
        String archivedIn) {

    /** The event as the API, an export and the hash see it (snake_case, every field present); without the hash. */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("sequence", sequence);
        m.put("timestamp", Timestamps.format(Instant.ofEpochMilli(occurredAt)));
        m.put("action", action);
        m.put("resource_type", resourceType);
        m.put("resource_id", resourceId);
        m.put("resource_name", resourceName);
        m.put("user_id", userId);
        m.put("user_email", userEmail);
        m.put("actor_type", actorType);
        m.put("status", status);
        m.put("category", category);
        m.put("severity", severity);
        m.put("sensitive_data_accessed", sensitiveDataAccessed);
        m.put("gdpr_relevant", gdprRelevant);
        m.put("sox_relevant", soxRelevant);
        m.put("hipaa_relevant", hipaaRelevant);
        m.put("engine_id", engineId);
        m.put("database_type", databaseType);
        m.put("details", details);
        m.put("before", before);
        m.put("after", after);
        m.put("changes", changes);
        m.put("error_message", errorMessage);
        m.put("ip_address", ipAddress);
        m.put("user_agent", userAgent);
        m.put("request_id", requestId);
        m.put("method", method);
        m.put("path", path);
        return m;
    }

    /** {@link #fields()}, the hash and where it was archived: the JSON of the API and of each line of an export. */
    public Map<String, Object> view() {
        Map<String, Object> m = fields();
        m.put("hash", hash);
        m.put("archived_in", archivedIn);
        return m;
    }

    public boolean archived() {
        return archivedIn != null;
    }

    /** The hash this event must have, given the hash of the event before it. */
    public String expectedHash(String previousHash) {
        return Canonical.chain(previousHash, fields());
    }
}
