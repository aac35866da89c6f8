package dev.custos.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.custos.catalog.Filters;
import dev.custos.catalog.Timestamps;

@Repository
class AccessRequestRepository {

    private final JdbcClient jdbc;

    AccessRequestRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Newest first, filtered by status and requester (null: any). */
    List<AccessRequest> list(String status, String requesterId) {
        Filters f = new Filters().add("status = :status", "status", status)
                .add("requester_id = :requester", "requester", requesterId);
        return jdbc.sql("SELECT * FROM access_requests" + f.where() + " ORDER BY created_at DESC, id")
                .params(f.params()).query((rs, n) -> map(rs)).list();
    }

    Optional<AccessRequest> findById(String id) {
        return jdbc.sql("SELECT * FROM access_requests WHERE id = ?").param(id).query((rs, n) -> map(rs)).optional();
    }

    boolean hasPending(String requesterId) {
        return jdbc.sql("SELECT count(*) FROM access_requests WHERE requester_id = ? AND status = 'pending'")
                .param(requesterId).query(Long.class).single() > 0;
    }

    void insert(AccessRequest r) {
        jdbc.sql("""
                INSERT INTO access_requests (id, requester_id, requester_kind, username, email, requester_role,
                    requested_role, reason, status, created_at)
                VALUES (:id, :requester, :kind, :username, :email, :current, :requested, :reason, 'pending', :created)
                """)
                .param("id", r.id()).param("requester", r.requesterId()).param("kind", r.requesterKind())
                .param("username", r.username()).param("email", r.email()).param("current", r.currentRole())
                .param("requested", r.requestedRole()).param("reason", r.reason())
                .param("created", Timestamps.toMillis(r.createdAt()))
                .update();
    }

    /** Decides a pending request; false when it was decided already (by someone else, a moment before). */
    boolean decide(String id, String status, Instant at, String by, String grantedRole, String rejectionReason) {
        return jdbc.sql("""
                UPDATE access_requests SET status = :status, decided_at = :at, decided_by = :by,
                    granted_role = :granted, rejection_reason = :rejection
                WHERE id = :id AND status = 'pending'
                """)
                .param("id", id).param("status", status).param("at", Timestamps.toMillis(at)).param("by", by)
                .param("granted", grantedRole).param("rejection", rejectionReason)
                .update() == 1;
    }

    /** The role an admin granted {@code subject} (an identity without a user row), if any. */
    Optional<String> grantedRole(String subject) {
        return jdbc.sql("SELECT role FROM role_grants WHERE subject = ?").param(subject).query(String.class).optional();
    }

    List<Map<String, Object>> roleGrants() {
        return jdbc.sql("SELECT * FROM role_grants ORDER BY granted_at DESC, subject").query((rs, n) -> {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("subject", rs.getString("subject"));
            g.put("role", rs.getString("role"));
            g.put("granted_by", rs.getString("granted_by"));
            g.put("granted_at", Timestamps.fromMillis(rs.getLong("granted_at")));
            g.put("request_id", rs.getString("request_id"));
            return g;
        }).list();
    }

    void revokeGrant(String subject) {
        jdbc.sql("DELETE FROM role_grants WHERE subject = ?").param(subject).update();
    }

    void grant(String subject, String role, String by, Instant at, String requestId) {
        jdbc.sql("DELETE FROM role_grants WHERE subject = ?").param(subject).update();
        jdbc.sql("""
                INSERT INTO role_grants (subject, role, granted_by, granted_at, request_id)
                VALUES (?, ?, ?, ?, ?)
                """).params(subject, role, by, Timestamps.toMillis(at), requestId).update();
    }

    private static AccessRequest map(ResultSet rs) throws SQLException {
        long decided = rs.getLong("decided_at");
        Instant decidedAt = rs.wasNull() ? null : Timestamps.fromMillis(decided);
        return new AccessRequest(rs.getString("id"), rs.getString("requester_id"), rs.getString("requester_kind"),
                rs.getString("username"), rs.getString("email"), rs.getString("requester_role"),
                rs.getString("requested_role"), rs.getString("reason"), rs.getString("status"),
                Timestamps.fromMillis(rs.getLong("created_at")), decidedAt, rs.getString("decided_by"),
                rs.getString("granted_role"), rs.getString("rejection_reason"));
    }
}
