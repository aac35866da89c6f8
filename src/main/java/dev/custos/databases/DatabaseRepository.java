package dev.custos.databases;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import dev.custos.api.Paging;
import dev.custos.api.Narrowing;
import dev.custos.catalog.Filters;
import dev.custos.catalog.JsonColumns;
import dev.custos.catalog.Timestamps;
import dev.custos.catalog.VersionedCache;

@Repository
class DatabaseRepository {

    /** What is stored for a database, secrets still encrypted. */
    record Row(
            String id, String name, String databaseType, String engineId, boolean useEngineCredentials, String host,
            Integer port, String databaseName, String username, String passwordEnc, String passwordSecretName,
            String policyId, boolean enabled, String compression, Integer compressionLevel, boolean encrypted,
            String backupDestination, String schedule, Map<String, String> tags, long createdAt, long updatedAt) {
    }

    private static final String SELECT = """
            SELECT d.*, e.name AS engine_name, e.username AS engine_username,
                   CASE WHEN e.password_enc IS NULL THEN 0 ELSE 1 END AS engine_has_password
            FROM databases d LEFT JOIN engines e ON e.id = d.engine_id
            """;
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final JsonColumns json;
    /**
     * Pages no larger than this are cached: a dashboard or a client polling the list asks for the same page again
     * and again. With {@link #CACHED_PAGES} that bounds the cache at about 20,000 databases' views.
     */
    static final int CACHED_PAGE_LIMIT = 100;
    private static final int CACHED_PAGES = 200;

    /** Totals of GET /api/databases: counting is the costliest part of a page on a large catalog. */
    private final VersionedCache<TotalKey, Long> totals;
    /** Pages of GET /api/databases: reading and decoding 25 rows costs more than writing the answer. */
    private final VersionedCache<PageKey, List<DatabaseConfig>> pages;

    /** {@code narrowing}: the caller's grants (null: none), part of the key since they change what the list holds. */
    private record PageKey(DatabaseService.Query query, int limit, int offset, ListCursor after, Narrowing narrowing) {
    }

    private record TotalKey(DatabaseService.Query query, Narrowing narrowing) {
    }

    DatabaseRepository(JdbcClient jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
        // One version covers the databases and the engine columns their view joins in (V9).
        this.totals = new VersionedCache<>(jdbc, "databases", 1000);
        this.pages = new VersionedCache<>(jdbc, "databases", CACHED_PAGES);
    }

    /**
     * A page of the list and one row more, if there is one (so the caller knows whether a next page exists), after
     * {@code after} when given; from the cache while nothing it shows has changed.
     */
    List<DatabaseConfig> page(DatabaseService.Query query, Paging paging, ListCursor after) {
        if (paging.limit() > CACHED_PAGE_LIMIT) {
            return find(query, paging, after);
        }
        // The caller's grants are part of the key: two callers narrowed differently see different pages.
        return pages.get(new PageKey(query, paging.limit(), paging.offset(), after, Narrowing.current()),
                () -> List.copyOf(find(query, paging, after)));
    }

    private List<DatabaseConfig> find(DatabaseService.Query query, Paging paging, ListCursor after) {
        Filters f = query.filters();
        if (after != null) {
            // The list's own order, as a row value: the page index (name, id) starts right after the cursor.
            f.add("(d.name, d.id) > (:after_name, :after_id)",
                    Map.of("after_name", after.name(), "after_id", after.id()));
        }
        return jdbc.sql(SELECT + f.where() + " ORDER BY d.name, d.id LIMIT :limit OFFSET :offset")
                .params(f.params()).param("limit", paging.limit() + 1).param("offset", paging.offset())
                .query(this::view).list();
    }

    long count(DatabaseService.Query query) {
        return totals.get(new TotalKey(query, Narrowing.current()), () -> {
            Filters f = query.filters();
            return jdbc.sql("SELECT count(*) FROM databases d" + f.where()).params(f.params()).query(Long.class).single();
        }).longValue();
    }

    Optional<DatabaseConfig> findView(String id) {
        return jdbc.sql(SELECT + " WHERE d.id = ?").param(id).query(this::view).optional();
    }

    Optional<Row> findRow(String id) {
        return jdbc.sql("SELECT * FROM databases WHERE id = ?").param(id).query(this::row).optional();
    }

    List<Row> findRowsByEngine(String engineId) {
        return jdbc.sql("SELECT * FROM databases WHERE engine_id = ? ORDER BY name, id").param(engineId).query(this::row).list();
    }

    /** The configuration already pointing at the same real database, if any. */
    Optional<String> findByTarget(String type, String host, Integer port, String databaseName, String exceptId) {
        return jdbc.sql("""
                SELECT id FROM databases WHERE database_type = :type AND coalesce(host, '') = :host
                    AND coalesce(port, 0) = :port AND database_name = :db AND id <> :except
                """)
                .param("type", type).param("host", host == null ? "" : host).param("port", port == null ? 0 : port)
                .param("db", databaseName).param("except", exceptId == null ? "" : exceptId)
                .query(String.class).optional();
    }

    List<String> namesUsingPolicy(String policyId) {
        return jdbc.sql("SELECT name FROM databases WHERE policy_id = ? ORDER BY name").param(policyId)
                .query(String.class).list();
    }

    List<String> idsUsingPolicy(String policyId) {
        return jdbc.sql("SELECT id FROM databases WHERE policy_id = ?").param(policyId).query(String.class).list();
    }

    int movePolicy(String from, String to, long now) {
        return jdbc.sql("UPDATE databases SET policy_id = ?, updated_at = ? WHERE policy_id = ?").params(to, now, from).update();
    }

    List<String> databaseNamesOn(String engineId, String type, String host, int port) {
        return jdbc.sql("""
                SELECT database_name FROM databases WHERE engine_id = :engine
                    OR (database_type = :type AND coalesce(host, '') = :host AND coalesce(port, 0) = :port)
                """).param("engine", engineId).param("type", type).param("host", host).param("port", port)
                .query(String.class).list();
    }

    int useEngineCredentials(String engineId, long now) {
        return jdbc.sql("""
                UPDATE databases SET use_engine_credentials = TRUE, username = NULL, password_enc = NULL, updated_at = ?
                WHERE engine_id = ?
                """).params(now, engineId).update();
    }

    int followAddress(String engineId, String host, int port, long now) {
        return jdbc.sql("UPDATE databases SET host = ?, port = ?, updated_at = ? WHERE engine_id = ?")
                .params(host, port, now, engineId).update();
    }

    void insert(Row r) {
        jdbc.sql("""
                INSERT INTO databases (id, name, database_type, engine_id, use_engine_credentials, host, port, database_name,
                    username, password_enc, password_secret_name, policy_id, enabled, compression, compression_level,
                    encrypted, backup_destination, schedule, tags, created_at, updated_at)
                VALUES (:id, :name, :type, :engine, :useEngine, :host, :port, :db, :username, :password, :secretName,
                    :policy, :enabled, :compression, :level, :encrypted, :destination, :schedule, :tags, :created, :updated)
                """).params(params(r)).update();
    }

    void update(Row r) {
        jdbc.sql("""
                UPDATE databases SET name = :name, database_type = :type, engine_id = :engine,
                    use_engine_credentials = :useEngine, host = :host, port = :port, database_name = :db,
                    username = :username, password_enc = :password, password_secret_name = :secretName,
                    policy_id = :policy, enabled = :enabled, compression = :compression,
                    compression_level = :level, encrypted = :encrypted,
                    backup_destination = :destination, schedule = :schedule, tags = :tags, updated_at = :updated
                WHERE id = :id
                """).params(params(r)).update();
    }

    void delete(String id) {
        jdbc.sql("DELETE FROM databases WHERE id = ?").param(id).update();
    }

    private Map<String, Object> params(Row r) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("type", r.databaseType());
        m.put("engine", r.engineId());
        m.put("useEngine", r.useEngineCredentials());
        m.put("host", r.host());
        m.put("port", r.port());
        m.put("db", r.databaseName());
        m.put("username", r.username());
        m.put("password", r.passwordEnc());
        m.put("secretName", r.passwordSecretName());
        m.put("policy", r.policyId());
        m.put("enabled", r.enabled());
        m.put("compression", r.compression());
        m.put("level", r.compressionLevel());
        m.put("encrypted", r.encrypted());
        m.put("destination", r.backupDestination());
        m.put("schedule", r.schedule());
        m.put("tags", r.tags() == null ? null : json.write(r.tags()));
        m.put("created", r.createdAt());
        m.put("updated", r.updatedAt());
        return m;
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        int port = rs.getInt("port");
        Integer nullablePort = rs.wasNull() ? null : port;
        int compressionLevel = rs.getInt("compression_level");
        Integer level = rs.wasNull() ? null : compressionLevel;
        return new Row(rs.getString("id"), rs.getString("name"), rs.getString("database_type"), rs.getString("engine_id"),
                rs.getBoolean("use_engine_credentials"), rs.getString("host"), nullablePort,
                rs.getString("database_name"), rs.getString("username"), rs.getString("password_enc"),
                rs.getString("password_secret_name"), rs.getString("policy_id"), rs.getBoolean("enabled"),
                rs.getString("compression"), level, rs.getBoolean("encrypted"), rs.getString("backup_destination"),
                rs.getString("schedule"),
                json.read(rs.getString("tags"), TAGS), rs.getLong("created_at"), rs.getLong("updated_at"));
    }

    private DatabaseConfig view(ResultSet rs, int n) throws SQLException {
        Row r = row(rs, n);
        boolean inherited = r.useEngineCredentials() && r.engineId() != null;
        return new DatabaseConfig(r.id(), r.name(), r.databaseType(), r.engineId(), rs.getString("engine_name"),
                r.useEngineCredentials(), r.host(), r.port(), r.databaseName(),
                inherited ? rs.getString("engine_username") : r.username(),
                inherited ? rs.getInt("engine_has_password") == 1 : r.passwordEnc() != null,
                r.passwordSecretName(), r.policyId(), r.enabled(), Compression.toApi(r.compression()),
                r.compressionLevel(), r.encrypted(), r.backupDestination(), r.schedule(),
                r.tags() == null ? Map.of() : Collections.unmodifiableMap(r.tags()),
                Timestamps.fromMillis(r.createdAt()), Timestamps.fromMillis(r.updatedAt()));
    }

    /** Every database with what its schedule needs, for the scheduler and GET /api/schedules. */
    List<DatabaseService.ScheduleSource> scheduleSources(String databaseId) {
        String sql = "SELECT id, name, database_type, engine_id, policy_id, enabled, schedule, created_at FROM databases"
                + (databaseId == null ? "" : " WHERE id = :id") + " ORDER BY name, id";
        var spec = jdbc.sql(sql);
        if (databaseId != null) {
            spec = spec.param("id", databaseId);
        }
        return spec.query((rs, n) -> new DatabaseService.ScheduleSource(rs.getString("id"), rs.getString("name"),
                rs.getString("database_type"), rs.getString("engine_id"), rs.getString("policy_id"),
                rs.getBoolean("enabled"), rs.getString("schedule"), Timestamps.fromMillis(rs.getLong("created_at"))))
                .list();
    }
}
