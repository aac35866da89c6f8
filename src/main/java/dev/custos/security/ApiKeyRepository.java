package dev.custos.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.custos.catalog.Timestamps;

@Repository
class ApiKeyRepository {

    /** A key found by its secret, with its owner as they are now. */
    record Found(ApiKey key, User owner) {
    }

    private static final String SELECT = """
            SELECT k.*, u.username AS owner_username FROM api_keys k LEFT JOIN users u ON u.id = k.owner_id
            """;

    private final JdbcClient jdbc;
    private final Clock clock;

    ApiKeyRepository(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Every key, or the keys of {@code ownerId}; newest first. */
    List<ApiKey> list(String ownerId) {
        String where = ownerId == null ? "" : " WHERE k.owner_id = :owner";
        var spec = jdbc.sql(SELECT + where + " ORDER BY k.created_at DESC, k.id");
        if (ownerId != null) {
            spec = spec.param("owner", ownerId);
        }
        Instant now = clock.instant();
        return spec.query((rs, n) -> map(rs, now)).list();
    }

    Optional<ApiKey> findById(String id) {
        Instant now = clock.instant();
        return jdbc.sql(SELECT + " WHERE k.id = ?").param(id).query((rs, n) -> map(rs, now)).optional();
    }

    Optional<ApiKey> findBySecretHash(String hash) {
        Instant now = clock.instant();
        return jdbc.sql(SELECT + " WHERE k.secret_hash = ?").param(hash).query((rs, n) -> map(rs, now)).optional();
    }

    void insert(ApiKey k, String secretHash) {
        jdbc.sql("""
                INSERT INTO api_keys (id, name, prefix, secret_hash, scopes, owner_id, created_at, expires_at)
                VALUES (:id, :name, :prefix, :hash, :scopes, :owner, :created, :expires)
                """)
                .param("id", k.id()).param("name", k.name()).param("prefix", k.prefix()).param("hash", secretHash)
                .param("scopes", String.join(",", k.scopes())).param("owner", k.ownerId())
                .param("created", Timestamps.toMillis(k.createdAt()))
                .param("expires", k.expiresAt() == null ? null : Timestamps.toMillis(k.expiresAt()))
                .update();
    }

    /** Revokes the key at {@code at} unless it is revoked already; true when this call revoked it. */
    boolean revoke(String id, Instant at, String by, String replacedBy) {
        return jdbc.sql("""
                UPDATE api_keys SET revoked_at = :at, revoked_by = :by, replaced_by = :replaced
                WHERE id = :id AND revoked_at IS NULL
                """)
                .param("id", id).param("at", Timestamps.toMillis(at)).param("by", by).param("replaced", replacedBy)
                .update() == 1;
    }

    /** Ends a rotated key's grace: it expires at {@code at} (earlier than it would have). */
    void expire(String id, Instant at, String replacedBy) {
        jdbc.sql("""
                UPDATE api_keys SET replaced_by = :replaced,
                    expires_at = CASE WHEN expires_at IS NULL OR expires_at > :at THEN :at ELSE expires_at END
                WHERE id = :id
                """)
                .param("id", id).param("at", Timestamps.toMillis(at)).param("replaced", replacedBy).update();
    }

    /** Revokes every key of {@code ownerId} still unrevoked, now; returns their ids. */
    List<String> revokeAllOf(String ownerId, String by) {
        List<String> ids = jdbc.sql("SELECT id FROM api_keys WHERE owner_id = ? AND revoked_at IS NULL ORDER BY id")
                .param(ownerId).query(String.class).list();
        jdbc.sql("UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE owner_id = ? AND revoked_at IS NULL")
                .params(clock.millis(), by, ownerId).update();
        return ids;
    }

    void recordUse(String id, Instant at, String ip) {
        jdbc.sql("UPDATE api_keys SET last_used_at = ?, last_used_ip = ? WHERE id = ?")
                .params(Timestamps.toMillis(at), ip, id).update();
    }

    private static ApiKey map(ResultSet rs, Instant now) throws SQLException {
        Instant expires = instant(rs, "expires_at");
        Instant revoked = instant(rs, "revoked_at");
        String status = revoked != null ? "revoked" : expires != null && !now.isBefore(expires) ? "expired" : "active";
        return new ApiKey(rs.getString("id"), rs.getString("name"), rs.getString("prefix"),
                Arrays.asList(rs.getString("scopes").split(",")), rs.getString("owner_id"),
                rs.getString("owner_username"), Timestamps.fromMillis(rs.getLong("created_at")), expires, revoked,
                rs.getString("revoked_by"), rs.getString("replaced_by"), instant(rs, "last_used_at"),
                rs.getString("last_used_ip"), status);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Timestamps.fromMillis(v);
    }
}
