package dev.custos.engines;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.custos.api.Paging;
import dev.custos.api.Narrowing;
import dev.custos.catalog.Filters;
import dev.custos.catalog.Timestamps;

@Repository
class EngineRepository {

    /** An engine row with its encrypted password, which never leaves this feature. */
    record Row(Engine engine, String passwordEnc) {
    }

    private static final String SELECT = """
            SELECT e.*, (SELECT count(*) FROM databases d WHERE d.engine_id = e.id) AS database_count FROM engines e
            """;

    private final JdbcClient jdbc;

    EngineRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Engine> find(String type, Paging paging) {
        Filters f = new Filters().add("e.engine_type = :type", "type", type).and(Narrowing.engineFilter("e.id"));
        return jdbc.sql(SELECT + f.where() + " ORDER BY lower(e.name), e.id LIMIT :limit OFFSET :offset")
                .params(f.params()).param("limit", paging.limit()).param("offset", paging.offset())
                .query(this::mapEngine).list();
    }

    long count(String type) {
        Filters f = new Filters().add("engine_type = :type", "type", type).and(Narrowing.engineFilter("id"));
        return jdbc.sql("SELECT count(*) FROM engines" + f.where()).params(f.params()).query(Long.class).single();
    }

    Optional<Row> findById(String id) {
        return jdbc.sql(SELECT + " WHERE e.id = ?").param(id)
                .query((rs, n) -> new Row(mapEngine(rs, n), rs.getString("password_enc"))).optional();
    }

    boolean nameTaken(String name, String exceptId) {
        return jdbc.sql("SELECT count(*) FROM engines WHERE lower(name) = lower(?) AND id <> ?")
                .params(name, exceptId == null ? "" : exceptId).query(Integer.class).single() > 0;
    }

    void insert(Engine e, String passwordEnc) {
        jdbc.sql("""
                INSERT INTO engines (id, name, engine_type, host, port, auth_method, username, password_enc,
                    discovery_enabled, created_at, updated_at)
                VALUES (:id, :name, :type, :host, :port, :auth, :username, :password, :discovery, :created, :updated)
                """).params(params(e, passwordEnc)).update();
    }

    void update(Engine e, String passwordEnc) {
        jdbc.sql("""
                UPDATE engines SET name = :name, engine_type = :type, host = :host, port = :port, auth_method = :auth,
                    username = :username, password_enc = :password, discovery_enabled = :discovery, updated_at = :updated
                WHERE id = :id
                """).params(params(e, passwordEnc)).update();
    }

    void delete(String id) {
        jdbc.sql("DELETE FROM engines WHERE id = ?").param(id).update();
    }

    private static Map<String, Object> params(Engine e, String passwordEnc) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", e.id());
        m.put("name", e.name());
        m.put("type", e.engineType());
        m.put("host", e.host());
        m.put("port", e.port());
        m.put("auth", e.authMethod());
        m.put("username", e.username());
        m.put("password", passwordEnc);
        m.put("discovery", e.discoveryEnabled());
        m.put("created", Timestamps.toMillis(e.createdAt()));
        m.put("updated", Timestamps.toMillis(e.updatedAt()));
        return m;
    }

    private Engine mapEngine(ResultSet rs, int row) throws SQLException {
        return new Engine(
                rs.getString("id"),
                rs.getString("name"),
                rs.getString("engine_type"),
                rs.getString("host"),
                rs.getInt("port"),
                rs.getString("auth_method"),
                rs.getString("username"),
                rs.getString("password_enc") != null,
                rs.getBoolean("discovery_enabled"),
                rs.getInt("database_count"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
