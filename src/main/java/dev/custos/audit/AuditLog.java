package dev.custos.audit;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.catalog.Ids;

/**
 * Writes audit events into the catalog. Callers invoke it inside the transaction of the change it
 * describes, so a change and its event commit or roll back together; for deletions, before the delete.
 */
@Component
public class AuditLog {

    /** Field names whose values never reach the audit trail, at any depth. */
    private static final Set<String> SECRET_FIELDS = Set.of("password", "password_enc", "secret", "token", "api_key");

    /** Before authentication exists every actor is anonymous (the spec's development mode). */
    static final String ANONYMOUS = "anonymous";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    public AuditLog(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    public void success(AuditEvent event) {
        write(event, "success", null);
    }

    public void failure(AuditEvent event, String errorMessage) {
        write(event, "failed", errorMessage);
    }

    private void write(AuditEvent event, String status, String errorMessage) {
        HttpServletRequest request = currentRequest();
        jdbc.sql("""
                INSERT INTO audit_events (id, occurred_at, action, resource_type, resource_id, resource_name, user_id,
                    user_email, status, details, before_value, after_value, error_message, ip_address, user_agent,
                    request_id, http_method, http_path)
                VALUES (:id, :at, :action, :type, :rid, :rname, :user, NULL, :status, :details, :before, :after, :error,
                    :ip, :ua, :reqid, :method, :path)
                """)
                .param("id", Ids.newId("audit"))
                .param("at", clock.millis())
                .param("action", event.action())
                .param("type", event.resourceType())
                .param("rid", event.resourceId())
                .param("rname", event.resourceName())
                .param("user", ANONYMOUS)
                .param("status", status)
                .param("details", toJson(event.details()))
                .param("before", toJson(event.before()))
                .param("after", toJson(event.after()))
                .param("error", errorMessage)
                .param("ip", request == null ? null : request.getRemoteAddr())
                .param("ua", request == null ? null : request.getHeader("User-Agent"))
                .param("reqid", request == null ? null : (String) request.getAttribute(RequestIds.ATTRIBUTE))
                .param("method", request == null ? null : request.getMethod())
                .param("path", request == null ? null : request.getRequestURI())
                .update();
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        return json.writeValueAsString(redact(json.convertValue(value, Object.class)));
    }

    @SuppressWarnings("unchecked")
    private static Object redact(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k),
                    SECRET_FIELDS.contains(String.valueOf(k)) ? "[redacted]" : redact(v)));
            return out;
        }
        if (value instanceof java.util.List<?> list) {
            return list.stream().map(AuditLog::redact).toList();
        }
        return value;
    }

    private static HttpServletRequest currentRequest() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes instanceof ServletRequestAttributes sra ? sra.getRequest() : null;
    }
}
