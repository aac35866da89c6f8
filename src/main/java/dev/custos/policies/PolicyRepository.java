package dev.custos.policies;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.custos.catalog.JsonColumns;
import dev.custos.catalog.Timestamps;

@Repository
class PolicyRepository {

    private final JdbcClient jdbc;
    private final JsonColumns json;

    PolicyRepository(JdbcClient jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    List<Policy> findAll() {
        return jdbc.sql("SELECT * FROM backup_policies ORDER BY is_system DESC, lower(name), id").query(this::map).list();
    }

    Optional<Policy> findById(String id) {
        return jdbc.sql("SELECT * FROM backup_policies WHERE id = ?").param(id).query(this::map).optional();
    }

    boolean exists(String id) {
        return jdbc.sql("SELECT count(*) FROM backup_policies WHERE id = ?").param(id).query(Integer.class).single() > 0;
    }

    boolean nameTaken(String name, String exceptId) {
        return jdbc.sql("SELECT count(*) FROM backup_policies WHERE lower(name) = lower(?) AND id <> ?")
                .params(name, exceptId == null ? "" : exceptId).query(Integer.class).single() > 0;
    }

    void insert(Policy p) {
        jdbc.sql("""
                INSERT INTO backup_policies (id, name, description, is_system, timezone, hourly, daily, weekly, monthly,
                    yearly, created_at, updated_at)
                VALUES (:id, :name, :description, :system, :tz, :hourly, :daily, :weekly, :monthly, :yearly, :created, :updated)
                """).params(params(p)).update();
    }

    void update(Policy p) {
        jdbc.sql("""
                UPDATE backup_policies SET name = :name, description = :description, timezone = :tz, hourly = :hourly,
                    daily = :daily, weekly = :weekly, monthly = :monthly, yearly = :yearly, updated_at = :updated
                WHERE id = :id
                """).params(params(p)).update();
    }

    void delete(String id) {
        jdbc.sql("DELETE FROM backup_policies WHERE id = ?").param(id).update();
    }

    private java.util.Map<String, Object> params(Policy p) {
        java.util.Map<String, Object> m = new java.util.HashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("description", p.description());
        m.put("system", p.isSystem());
        m.put("tz", p.timezone());
        m.put("hourly", json.write(p.hourly()));
        m.put("daily", json.write(p.daily()));
        m.put("weekly", json.write(p.weekly()));
        m.put("monthly", json.write(p.monthly()));
        m.put("yearly", json.write(p.yearly()));
        m.put("created", Timestamps.toMillis(p.createdAt()));
        m.put("updated", Timestamps.toMillis(p.updatedAt()));
        return m;
    }

    private Policy map(ResultSet rs, int row) throws SQLException {
        return new Policy(
                rs.getString("id"),
                rs.getString("name"),
                rs.getString("description"),
                rs.getBoolean("is_system"),
                rs.getString("timezone"),
                json.read(rs.getString("hourly"), Tier.class),
                json.read(rs.getString("daily"), Tier.class),
                json.read(rs.getString("weekly"), Tier.class),
                json.read(rs.getString("monthly"), Tier.class),
                json.read(rs.getString("yearly"), Tier.class),
                Timestamps.fromMillis(rs.getLong("created_at")),
                Timestamps.fromMillis(rs.getLong("updated_at")));
    }
}
