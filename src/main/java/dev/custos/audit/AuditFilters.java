package dev.custos.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.web.bind.annotation.BindParam;

/**
 * The query parameters of {@code GET /api/audit} and its export, bound by name from the query string. Every value is
 * taken as text and checked by {@link #toQuery}, so that a bad one is a 400 naming it, never a binding error.
 */
record AuditFilters(
        @Parameter(name = "action", description = "Action, such as database_created or backup_triggered") String action,
        @Parameter(name = "resource_type", description = "backup, database, engine, policy, settings, restore, …")
        @BindParam("resource_type") String resourceType,
        @Parameter(name = "resource_id") @BindParam("resource_id") String resourceId,
        @Parameter(name = "status", description = "success or failed") String status,
        @Parameter(name = "search", description = "Part of a resource name or id, or of a user id or email") String search,
        @Parameter(name = "database_type", description = "postgresql, mysql, sqlite, …")
        @BindParam("database_type") String databaseType,
        @Parameter(name = "engine_id") @BindParam("engine_id") String engineId,
        @Parameter(name = "resource_name", description = "Part of the resource's name")
        @BindParam("resource_name") String resourceName,
        @Parameter(name = "user_id") @BindParam("user_id") String userId,
        @Parameter(name = "category", description = "configuration, backup, restore, access, security or system")
        String category,
        @Parameter(name = "severity", description = "info, warning or critical") String severity,
        @Parameter(name = "sensitive_data_accessed", description = "true or false")
        @BindParam("sensitive_data_accessed") String sensitiveDataAccessed,
        @Parameter(name = "gdpr_relevant", description = "true or false") @BindParam("gdpr_relevant") String gdprRelevant,
        @Parameter(name = "sox_relevant", description = "true or false") @BindParam("sox_relevant") String soxRelevant,
        @Parameter(name = "hipaa_relevant", description = "true or false")
        @BindParam("hipaa_relevant") String hipaaRelevant,
        @Parameter(name = "request_id", description = "The X-Request-Id of the request that caused the event")
        @BindParam("request_id") String requestId,
        @Parameter(name = "start_date", description = "First day, 2024-01-15 (UTC)") @BindParam("start_date") String startDate,
        @Parameter(name = "end_date", description = "Last day, inclusive (UTC)") @BindParam("end_date") String endDate) {

    private static final List<String> STATUSES = List.of("success", "failed");

    AuditQuery toQuery(AuditParams p) {
        return new AuditQuery(AuditParams.optional(action), AuditParams.optional(resourceType),
                AuditParams.optional(resourceId), p.oneOf("status", status, STATUSES), AuditParams.optional(search),
                AuditParams.optional(databaseType), AuditParams.optional(engineId), AuditParams.optional(resourceName),
                AuditParams.optional(userId), p.oneOf("category", category, Classification.CATEGORIES),
                p.oneOf("severity", severity, Classification.SEVERITIES),
                p.bool("sensitive_data_accessed", sensitiveDataAccessed), p.bool("gdpr_relevant", gdprRelevant),
                p.bool("sox_relevant", soxRelevant), p.bool("hipaa_relevant", hipaaRelevant),
                AuditParams.optional(requestId), p.day("start_date", startDate, false), p.day("end_date", endDate, true), null);
    }

    /** The filters that were given, by their parameter names: what an export's header says it holds. */
    Map<String, Object> given() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "action", action);
        put(m, "resource_type", resourceType);
        put(m, "resource_id", resourceId);
        put(m, "status", status);
        put(m, "search", search);
        put(m, "database_type", databaseType);
        put(m, "engine_id", engineId);
        put(m, "resource_name", resourceName);
        put(m, "user_id", userId);
        put(m, "category", category);
        put(m, "severity", severity);
        put(m, "sensitive_data_accessed", sensitiveDataAccessed);
        put(m, "gdpr_relevant", gdprRelevant);
        put(m, "sox_relevant", soxRelevant);
        put(m, "hipaa_relevant", hipaaRelevant);
        put(m, "request_id", requestId);
        put(m, "start_date", startDate);
        put(m, "end_date", endDate);
        return m;
    }

    private static void put(Map<String, Object> m, String name, String value) {
        if (value != null && !value.isBlank()) {
            m.put(name, value.trim());
        }
    }
}
