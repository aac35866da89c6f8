package dev.custos.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.Timestamps;

@Repository
class UserRepository {

    /** A user with the hash its password is checked against. */
    record Credentials(User user, String passwordHash) {
    }

    private static final String COLUMNS =
            "id, username, name, email, role, password_hash, disabled, created_at, updated_at, last_login_at";

    private final JdbcClient jdbc;
    private final boolean postgres;

    UserRepository(JdbcClient jdbc, CustosProperties custos) {
        this.jdbc = jdbc;
        this.postgres = custos.catalog().isPostgres();
    }

    /**
     * Locks the admins' rows until the transaction ends, so that two changes that each leave "another" admin cannot
     * both pass and leave none (SQLite's transactions run one at a time anyway).
     */
    void lockAdmins() {
        if (postgres) {
            jdbc.sql("SELECT id FROM users WHERE role = 'admin' FOR UPDATE").query(String.class).list();
        }
    }

    List<User> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users ORDER BY username").query((rs, n) -> map(rs)).list();
    }

    Optional<User> findById(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE id = ?").param(id).query((rs, n) -> map(rs)).optional();
    }

    Optional<Credentials> credentials(String username) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE username = ?").param(username)
                .query((rs, n) -> new Credentials(map(rs), rs.getString("password_hash"))).optional();
    }

    boolean usernameTaken(String username) {
        return jdbc.sql("SELECT count(*) FROM users WHERE username = ?").param(username).query(Integer.class).single() > 0;
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM users").query(Long.class).single();
    }

    /** Enabled admins other than {@code exceptId}: the ones who could still manage users. */
    long otherActiveAdmins(String exceptId) {
        return jdbc.sql("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = FALSE AND id <> ?")
                .param(exceptId).query(Long.class).single();
    }

    void insert(User u, String passwordHash) {
        jdbc.sql("""
                INSERT INTO users (id, username, name, email, role, password_hash, disabled, created_at, updated_at)
                VALUES (:id, :username, :name, :email, :role, :hash, :disabled, :created, :updated)
                """)
                .param("id", u.id()).param("username", u.username()).param("name", u.name())
                .param("email", u.email()).param("role", u.role()).param("hash", passwordHash)
                .param("disabled", u.disabled()).param("created", Timestamps.toMillis(u.createdAt()))
                .param("updated", Timestamps.toMillis(u.updatedAt()))
                .update();
    }

    void update(User u) {
        jdbc.sql("""
                UPDATE users SET name = :name, email = :email, role = :role, disabled = :disabled, updated_at = :updated
                WHERE id = :id
                """)
                .param("id", u.id()).param("name", u.name()).param("email", u.email()).param("role", u.role())
                .param("disabled", u.disabled()).param("updated", Timestamps.toMillis(u.updatedAt()))
                .update();
    }

    void setPasswordHash(String id, String passwordHash) {
        jdbc.sql("UPDATE users SET password_hash = ? WHERE id = ?").params(passwordHash, id).update();
    }

    void recordLogin(String id, Instant at) {
        jdbc.sql("UPDATE users SET last_login_at = ? WHERE id = ?").params(Timestamps.toMillis(at), id).update();
    }

    void delete(String id) {
        jdbc.sql("DELETE FROM users WHERE id = ?").param(id).update();
    }

    private static User map(ResultSet rs) throws SQLException {
        long lastLogin = rs.getLong("last_login_at");
        Instant last = rs.wasNull() ? null : Timestamps.fromMillis(lastLogin);
        return new User(rs.getString("id"), rs.getString("username"), rs.getString("name"), rs.getString("email"),
                rs.getString("role"), rs.getBoolean("disabled"), Timestamps.fromMillis(rs.getLong("created_at")),
                Timestamps.fromMillis(rs.getLong("updated_at")), last);
    }
}
