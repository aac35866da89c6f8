package dev.custos.audit;

import java.util.Map;

/**
 * One change or data-exposing read, as a caller describes it. Who, where and when are filled in by
 * {@link AuditLog} from the request. {@code before}/{@code after} hold the resource's public view (never a
 * secret) around an update or deletion.
 */
public record AuditEvent(
        String action,
        String resourceType,
        String resourceId,
        String resourceName,
        Map<String, Object> details,
        Object before,
        Object after) {

    public static AuditEvent of(String action, String resourceType, String resourceId, String resourceName,
            Map<String, Object> details) {
        return new AuditEvent(action, resourceType, resourceId, resourceName, details, null, null);
    }

    public AuditEvent withBefore(Object value) {
        return new AuditEvent(action, resourceType, resourceId, resourceName, details, value, after);
    }

    public AuditEvent withAfter(Object value) {
        return new AuditEvent(action, resourceType, resourceId, resourceName, details, before, value);
    }
}
