package dev.custos.audit;

import java.sql.ResultSet;
import java.sql.SQLException;

import org.springframework.jdbc.core.RowMapper;

/** Reads {@code audit_events} rows into {@link AuditRecord}s: one column list and one mapper for every query. */
final class AuditRows {

    static final String COLUMNS = "id, sequence, occurred_at, action, resource_type, resource_id, resource_name, user_id, "
            + "user_email, actor_type, status, category, severity, sensitive_data_accessed, gdpr_relevant, sox_relevant, "
            + "hipaa_relevant, engine_id, database_type, details, before_value, after_value, changes, error_message, "
            + "ip_address, user_agent, request_id, http_method, http_path, hash, archived_in";

    static final RowMapper<AuditRecord> MAPPER = AuditRows::map;

    private AuditRows() {
    }

    private static AuditRecord map(ResultSet rs, int row) throws SQLException {
        return new AuditRecord(
                rs.getString("id"),
                rs.getLong("sequence"),
                rs.getLong("occurred_at"),
                rs.getString("action"),
                rs.getString("resource_type"),
                rs.getString("resource_id"),
                rs.getString("resource_name"),
                rs.getString("user_id"),
                rs.getString("user_email"),
                rs.getString("actor_type"),
                rs.getString("status"),
                rs.getString("category"),
                rs.getString("severity"),
                rs.getBoolean("sensitive_data_accessed"),
                rs.getBoolean("gdpr_relevant"),
                rs.getBoolean("sox_relevant"),
                rs.getBoolean("hipaa_relevant"),
                rs.getString("engine_id"),
                rs.getString("database_type"),
                json(rs.getString("details")),
                json(rs.getString("before_value")),
                json(rs.getString("after_value")),
                json(rs.getString("changes")),
                rs.getString("error_message"),
                rs.getString("ip_address"),
                rs.getString("user_agent"),
                rs.getString("request_id"),
                rs.getString("http_method"),
                rs.getString("http_path"),
                rs.getString("hash"),
                rs.getString("archived_in"));
    }

    /**
     * A JSON column as a tree; a value that is not JSON (edited by hand) is kept as its text, so that reading it never
     * fails and its hash simply does not match.
     */
    private static Object json(String text) {
        try {
            return Canonical.parse(text);
        } catch (RuntimeException e) {
            return text;
        }
    }
}
