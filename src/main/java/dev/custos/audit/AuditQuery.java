package dev.custos.audit;

import java.util.List;

/**
 * The filters of the audit queries; null means "not filtered". Times are epoch milliseconds, {@code from} inclusive and
 * {@code until} exclusive. {@code search} and {@code resourceName} match parts of words, case-insensitively.
 */
record AuditQuery(String action, String resourceType, String resourceId, String status, String search,
        String databaseType, String engineId, String resourceName, String userId, String category, String severity,
        Boolean sensitiveDataAccessed, Boolean gdprRelevant, Boolean soxRelevant, Boolean hipaaRelevant, String requestId,
        Long from, Long until, List<String> actions) {

    /** The actions of deletions, whose events hold the deleted record and what went with it. */
    static final List<String> DELETIONS = List.of("engine_deleted", "database_deleted", "policy_deleted",
            "backup_deleted", "backup_deleted_bulk");

    static AuditQuery all() {
        return new AuditQuery(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    /** Events whose action is one of {@code values}. */
    AuditQuery withActions(List<String> values) {
        return new AuditQuery(action, resourceType, resourceId, status, search, databaseType, engineId, resourceName,
                userId, category, severity, sensitiveDataAccessed, gdprRelevant, soxRelevant, hipaaRelevant, requestId,
                from, until, values);
    }

    AuditQuery withAction(String value) {
        return new AuditQuery(value, resourceType, resourceId, status, search, databaseType, engineId, resourceName,
                userId, category, severity, sensitiveDataAccessed, gdprRelevant, soxRelevant, hipaaRelevant, requestId,
                from, until, actions);
    }

    AuditQuery withResource(String type, String id) {
        return new AuditQuery(action, type, id, status, search, databaseType, engineId, resourceName, userId, category,
                severity, sensitiveDataAccessed, gdprRelevant, soxRelevant, hipaaRelevant, requestId, from, until, actions);
    }

    AuditQuery withTime(Long fromMillis, Long untilMillis) {
        return new AuditQuery(action, resourceType, resourceId, status, search, databaseType, engineId, resourceName,
                userId, category, severity, sensitiveDataAccessed, gdprRelevant, soxRelevant, hipaaRelevant, requestId,
                fromMillis, untilMillis, actions);
    }

    /** Whether any filter other than time is set (then counting needs the table; otherwise the sequence suffices). */
    boolean filtersBeyondTime() {
        return action != null || resourceType != null || resourceId != null || status != null || search != null
                || databaseType != null || engineId != null || resourceName != null || userId != null
                || category != null || severity != null || sensitiveDataAccessed != null || gdprRelevant != null
                || soxRelevant != null || hipaaRelevant != null || requestId != null || actions != null;
    }
}
