package dev.custos.schedules;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.custos.api.Narrowing;
import dev.custos.catalog.Filters;
import dev.custos.catalog.Ids;

/**
 * backup_cleanup_history: one row per backup retention deleted, written {@code pending} before the object is
 * touched and {@code completed} with the history row's removal, so an interrupted pruning is found and finished.
 */
@Repository
class CleanupHistory {

    /** A pruning as GET /api/cleanup-history shows it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Entry(String id, String databaseId, String backupId, String blobName, String policyId,
            Instant backupCreatedAt, Long fileSizeBytes, String reason, String triggeredBy, String status,
            String errorMessage, Instant startedAt, Instant completedAt) {
    }

    private final JdbcClient jdbc;

    CleanupHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    String begin(String databaseId, String backupId, String blobName, String policyId, Instant backupCreatedAt,
            Long size, String reason, String trigger, Instant now) {
        String id = Ids.newId("cleanup");
        jdbc.sql("""
                INSERT INTO backup_cleanup_history (id, database_id, backup_id, blob_name, policy_id, backup_created_at,
                    file_size_bytes, reason, triggered_by, status, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
                """)
                .params(id, databaseId, backupId, blobName, policyId,
                        backupCreatedAt == null ? null : backupCreatedAt.toEpochMilli(), size, reason, trigger,
                        now.toEpochMilli())
                .update();
        return id;
    }

    void complete(String id, Instant now) {
        jdbc.sql("UPDATE backup_cleanup_history SET status = 'completed', error_message = NULL, completed_at = ? WHERE id = ?")
                .params(now.toEpochMilli(), id).update();
    }

    /** Storage refused: the row stays pending, and the next sweep tries again. */
    /** Records why storage refused; true on the first refusal of this pruning (no error recorded before). */
    boolean failedAttempt(String id, String error) {
        boolean first = jdbc.sql("SELECT error_message FROM backup_cleanup_history WHERE id = ? AND status = 'pending'")
                .param(id).query((rs, n) -> rs.getString(1) == null).optional().orElse(false);
        jdbc.sql("UPDATE backup_cleanup_history SET error_message = ? WHERE id = ? AND status = 'pending'").params(error, id).update();
        return first;
    }

    List<Entry> pending() {
        return jdbc.sql("SELECT * FROM backup_cleanup_history WHERE status = 'pending' ORDER BY started_at, id")
                .query(this::map).list();
    }

    /** The newest entries (of {@code databaseId}, or all) of the databases the current caller may see. */
    List<Entry> find(String databaseId, int limit) {
        Filters f = new Filters().add("database_id = :db", "db", databaseId)
                .and(Narrowing.databaseFilter("database_id"));
        return jdbc.sql("SELECT * FROM backup_cleanup_history" + f.where()
                        + " ORDER BY started_at DESC, id DESC LIMIT :limit")
                .params(f.params()).param("limit", limit).query(this::map).list();
    }

    private Entry map(ResultSet rs, int n) throws SQLException {
        long size = rs.getLong("file_size_bytes");
        Long fileSize = rs.wasNull() ? null : size;
        return new Entry(rs.getString("id"), rs.getString("database_id"), rs.getString("backup_id"),
                rs.getString("blob_name"), rs.getString("policy_id"),
                ScheduleRepository.instant(rs, "backup_created_at"), fileSize, rs.getString("reason"),
                rs.getString("triggered_by"), rs.getString("status"), rs.getString("error_message"),
                ScheduleRepository.instant(rs, "started_at"), ScheduleRepository.instant(rs, "completed_at"));
    }
}
