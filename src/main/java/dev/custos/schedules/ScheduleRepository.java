package dev.custos.schedules;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import dev.custos.catalog.JsonColumns;
import dev.custos.catalog.Timestamps;

/** The backup_schedules table: each scheduled database's next due run and how its last one went. */
@Repository
class ScheduleRepository {

    /** One database's schedule state. {@code config} is what {@code nextRunAt} was computed from. */
    record Row(String databaseId, String config, Instant nextRunAt, List<String> nextTiers, Instant lastRunAt,
            Instant lastFiredAt, String lastBackupId, String lastOutcome, String lastMessage) {
    }

    /** How a due run ended: the backup it queued, or why none was queued. */
    record Outcome(String outcome, String backupId, String message) {
    }

    private final JdbcClient jdbc;
    private final JsonColumns json;

    ScheduleRepository(JdbcClient jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    Map<String, Row> all() {
        return jdbc.sql("SELECT * FROM backup_schedules").query(this::map).list().stream()
                .collect(Collectors.toMap(Row::databaseId, Function.identity()));
    }

    /** Sets a database's next run, keeping what is known of its last one. */
    void plan(String databaseId, String config, Instant nextRunAt, List<String> nextTiers, Instant now) {
        int updated = jdbc.sql("""
                UPDATE backup_schedules SET config = ?, next_run_at = ?, next_tiers = ?, updated_at = ?
                WHERE database_id = ?
                """)
                .params(config, millis(nextRunAt), json.write(nextTiers), now.toEpochMilli(), databaseId).update();
        if (updated == 0) {
            jdbc.sql("""
                    INSERT INTO backup_schedules (database_id, config, next_run_at, next_tiers, updated_at)
                    VALUES (?, ?, ?, ?, ?)
                    """)
                    .params(databaseId, config, millis(nextRunAt), json.write(nextTiers), now.toEpochMilli()).update();
        }
    }

    /**
     * Moves a due run on to the next one and records how it went. Conditional on the due time read: false when
     * another tick (another node) has moved it already, and then this one must not queue a backup.
     */
    boolean advance(String databaseId, Instant due, Instant nextRunAt, List<String> nextTiers, Instant now,
            Outcome outcome) {
        return jdbc.sql("""
                UPDATE backup_schedules SET next_run_at = ?, next_tiers = ?, last_run_at = ?, last_fired_at = ?,
                    last_backup_id = ?, last_outcome = ?, last_message = ?, updated_at = ?
                WHERE database_id = ? AND next_run_at = ?
                """)
                .params(millis(nextRunAt), json.write(nextTiers), due.toEpochMilli(), now.toEpochMilli(),
                        outcome.backupId(), outcome.outcome(), outcome.message(), now.toEpochMilli(), databaseId,
                        due.toEpochMilli())
                .update() == 1;
    }

    void recordBackup(String databaseId, String backupId) {
        jdbc.sql("UPDATE backup_schedules SET last_backup_id = ? WHERE database_id = ?").params(backupId, databaseId)
                .update();
    }

    void delete(String databaseId) {
        jdbc.sql("DELETE FROM backup_schedules WHERE database_id = ?").param(databaseId).update();
    }

    private Row map(ResultSet rs, int n) throws SQLException {
        String tiers = rs.getString("next_tiers");
        return new Row(rs.getString("database_id"), rs.getString("config"), instant(rs, "next_run_at"),
                tiers == null ? List.of() : json.read(tiers, new TypeReference<List<String>>() { }),
                instant(rs, "last_run_at"), instant(rs, "last_fired_at"), rs.getString("last_backup_id"),
                rs.getString("last_outcome"), rs.getString("last_message"));
    }

    private static Long millis(Instant at) {
        return at == null ? null : at.toEpochMilli();
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Timestamps.fromMillis(value);
    }
}
