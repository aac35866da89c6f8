package dev.custos.backups;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import dev.custos.catalog.Filters;
import dev.custos.catalog.JsonColumns;
import dev.custos.catalog.Timestamps;
import dev.custos.jobs.JobQueue;
import dev.custos.jobs.JobStatus;

/**
 * The backups table, which is both the job queue and the history. Every status change is a conditional UPDATE
 * that names the status it leaves (and, for a running job, the lease owner), so two processes or two threads
 * racing on one job never both win: the loser's update matches no row.
 */
@Repository
class BackupRepository implements JobQueue {

    private static final String SELECT = """
            SELECT b.*, e.name AS engine_name FROM backups b LEFT JOIN engines e ON e.id = b.engine_id
            """;

    private final JdbcClient jdbc;
    private final JsonColumns json;

    BackupRepository(JdbcClient jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    record NewJob(String id, String jobId, String queueMessageId, String databaseId, String databaseAlias,
            String databaseType, String engineId, String tier, String tiers, String triggeredBy, String compression,
            int compressionLevel, boolean encrypted, long now) {
    }

    /** @throws org.springframework.dao.DataIntegrityViolationException when the database already has a queued or running job */
    void insertPending(NewJob job) {
        jdbc.sql("""
                INSERT INTO backups (id, job_id, queue_message_id, database_id, database_alias, database_type, engine_id,
                    status, tier, tiers, triggered_by, compression, compression_level, encrypted, cancel_requested,
                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, FALSE, ?, ?)
                """)
                .params(job.id(), job.jobId(), job.queueMessageId(), job.databaseId(), job.databaseAlias(),
                        job.databaseType(), job.engineId(), job.tier(), job.tiers(), job.triggeredBy(), job.compression(),
                        job.compressionLevel(), job.encrypted(), job.now(), job.now())
                .update();
    }

    /** A completed backup brought back from its manifest, as {@link #complete} would have left it. */
    record Recovered(String id, String databaseId, String databaseAlias, String databaseType, String blobName,
            String fileFormat, String compression, int compressionLevel, String encryptionKeyId, long fileSize,
            long rawSize, String sha256, String serverVersion, String tool, String toolVersion, List<String> warnings,
            String fingerprint, long startedAt, long completedAt, long now) {
    }

    /**
     * Inserts a recovered backup unless the catalog knows its id or its object already; false when it did. Running
     * it twice, or beside a live Custos on the same catalog, adds nothing twice.
     */
    boolean insertRecovered(Recovered r) {
        return jdbc.sql("""
                INSERT INTO backups (id, database_id, database_alias, database_type, status, triggered_by, started_at,
                    completed_at, blob_name, file_size_bytes, file_format, compression, compression_level, encrypted,
                    encryption_key_id, checksum_sha256, raw_size_bytes, bytes_written, server_version, dump_tool,
                    dump_tool_version, warnings, fingerprint, cancel_requested, created_at, updated_at)
                VALUES (:id, :database_id, :alias, :type, 'completed', :triggered_by, :started, :completed, :blob,
                    :size, :format, :compression, :level, :encrypted, :key_id, :sha256, :raw, :raw, :server_version,
                    :tool, :tool_version, :warnings, :fingerprint, FALSE, :started, :now)
                ON CONFLICT DO NOTHING
                """)
                .param("id", r.id()).param("database_id", r.databaseId()).param("alias", r.databaseAlias())
                .param("type", r.databaseType()).param("triggered_by", BackupService.RECOVERED)
                .param("started", r.startedAt()).param("completed", r.completedAt()).param("blob", r.blobName())
                .param("size", r.fileSize()).param("format", r.fileFormat()).param("compression", r.compression())
                .param("level", r.compressionLevel()).param("encrypted", r.encryptionKeyId() != null)
                .param("key_id", r.encryptionKeyId()).param("sha256", r.sha256()).param("raw", r.rawSize())
                .param("server_version", r.serverVersion()).param("tool", r.tool())
                .param("tool_version", r.toolVersion()).param("warnings", json.write(r.warnings()))
                .param("fingerprint", r.fingerprint()).param("now", r.now())
                .update() == 1;
    }

    Optional<Backup> find(String id) {
        return jdbc.sql(SELECT + " WHERE b.id = ?").param(id).query(this::map).optional();
    }

    Optional<Backup> findByBlobName(String blobName) {
        return jdbc.sql(SELECT + " WHERE b.blob_name = ?").param(blobName).query(this::map).optional();
    }

    List<Backup> list(Filters filters, int limit, int offset) {
        return jdbc.sql(SELECT + filters.where() + " ORDER BY b.created_at DESC, b.id DESC LIMIT :limit OFFSET :offset")
                .params(filters.params()).param("limit", limit).param("offset", offset)
                .query(this::map).list();
    }

    long count(Filters filters) {
        return jdbc.sql("SELECT count(*) FROM backups b" + filters.where()).params(filters.params())
                .query(Long.class).single();
    }

    /** The oldest queued job that nobody asked to cancel, or empty. */
    @Override
    public Optional<String> nextPending() {
        return jdbc.sql("SELECT id FROM backups WHERE status = 'pending' ORDER BY created_at, id LIMIT 1")
                .query(String.class).optional();
    }

    /** pending → in_progress under a lease; false when another worker claimed it first or it was cancelled. */
    @Override
    public boolean claim(String id, String owner, long now, long leaseUntil) {
        JobStatus.requireTransition(JobStatus.PENDING, JobStatus.IN_PROGRESS);
        return jdbc.sql("""
                UPDATE backups SET status = 'in_progress', lease_owner = ?, lease_expires_at = ?, heartbeat_at = ?,
                    started_at = ?, bytes_written = 0, updated_at = ?
                WHERE id = ? AND status = 'pending'
                """).params(owner, leaseUntil, now, now, now, id).update() == 1;
    }

    /** Records where the object will go before any byte is written, so a crash leaves a name to clean up. */
    boolean setBlobName(String id, String owner, String blobName, String fileFormat) {
        return jdbc.sql("""
                UPDATE backups SET blob_name = ?, file_format = ? WHERE id = ? AND status = 'in_progress' AND lease_owner = ?
                """).params(blobName, fileFormat, id, owner).update() == 1;
    }

    boolean blobNameTaken(String blobName) {
        return jdbc.sql("SELECT count(*) FROM backups WHERE blob_name = ?").param(blobName).query(Long.class).single() > 0;
    }

    /**
     * Renews the lease and records progress. Returns whether the job was asked to cancel, or empty when this worker
     * no longer holds it (it was failed by a sweep after its lease expired).
     */
    @Override
    public Optional<Boolean> heartbeat(String id, String owner, long now, long leaseUntil, long bytesWritten) {
        int updated = jdbc.sql("""
                UPDATE backups SET lease_expires_at = ?, heartbeat_at = ?, bytes_written = ?, updated_at = ?
                WHERE id = ? AND status = 'in_progress' AND lease_owner = ?
                """).params(leaseUntil, now, bytesWritten, now, id, owner).update();
        if (updated == 0) {
            return Optional.empty();
        }
        return Optional.of(jdbc.sql("SELECT cancel_requested FROM backups WHERE id = ?").param(id)
                .query(Boolean.class).single());
    }

    record Completion(long completedAt, long fileSize, long rawSize, String sha256, String encryptionKeyId,
            String serverVersion, String tool, String toolVersion, List<String> warnings, String fingerprint) {
    }

    boolean complete(String id, String owner, Completion c) {
        JobStatus.requireTransition(JobStatus.IN_PROGRESS, JobStatus.COMPLETED);
        return jdbc.sql("""
                UPDATE backups SET status = 'completed', completed_at = ?, file_size_bytes = ?, raw_size_bytes = ?,
                    bytes_written = ?, checksum_sha256 = ?, encryption_key_id = ?, server_version = ?, dump_tool = ?,
                    dump_tool_version = ?, warnings = ?, fingerprint = ?, lease_owner = NULL, lease_expires_at = NULL,
                    updated_at = ?
                WHERE id = ? AND status = 'in_progress' AND lease_owner = ?
                """)
                .params(c.completedAt(), c.fileSize(), c.rawSize(), c.rawSize(), c.sha256(), c.encryptionKeyId(),
                        c.serverVersion(), c.tool(), c.toolVersion(), json.write(c.warnings()), c.fingerprint(),
                        c.completedAt(), id, owner)
                .update() == 1;
    }

    /**
     * in_progress → failed or cancelled by the worker that holds the job. The object name is cleared: the caller
     * removed whatever was stored, and a failed backup must not look as if it had a file.
     */
    boolean finish(String id, String owner, JobStatus to, String errorMessage, long now) {
        JobStatus.requireTransition(JobStatus.IN_PROGRESS, to);
        return jdbc.sql("""
                UPDATE backups SET status = ?, error_message = ?, completed_at = ?, blob_name = NULL, lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = ?
                WHERE id = ? AND status = 'in_progress' AND lease_owner = ?
                """).params(to.value(), errorMessage, now, now, id, owner).update() == 1;
    }

    /** pending → failed or cancelled, before any worker started it. */
    boolean finishPending(String id, JobStatus to, String errorMessage, long now) {
        JobStatus.requireTransition(JobStatus.PENDING, to);
        return jdbc.sql("""
                UPDATE backups SET status = ?, error_message = ?, completed_at = ?, updated_at = ?
                WHERE id = ? AND status = 'pending'
                """).params(to.value(), errorMessage, now, now, id).update() == 1;
    }

    boolean requestCancel(String id, long now) {
        return jdbc.sql("""
                UPDATE backups SET cancel_requested = TRUE, updated_at = ? WHERE id = ? AND status = 'in_progress'
                """).params(now, id).update() == 1;
    }

    record Orphan(String id, String databaseId, String databaseAlias, String blobName, String leaseOwner) {
    }

    /** Running jobs whose lease ran out before {@code now}, or every running job not owned by {@code keepOwner} when {@code all}. */
    List<Orphan> orphans(long now, boolean all, String keepOwner) {
        String where = all ? "status = 'in_progress' AND (lease_owner IS NULL OR lease_owner <> :owner)"
                : "status = 'in_progress' AND lease_expires_at < :now";
        return jdbc.sql("SELECT id, database_id, database_alias, blob_name, lease_owner FROM backups WHERE " + where)
                .param("owner", keepOwner).param("now", now)
                .query((rs, n) -> new Orphan(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5)))
                .list();
    }

    /** Fails an orphan if it is still the same orphan: nobody renewed its lease in between. */
    boolean failOrphan(Orphan orphan, String message, long now) {
        JobStatus.requireTransition(JobStatus.IN_PROGRESS, JobStatus.FAILED);
        String sameOwner = orphan.leaseOwner() == null ? "lease_owner IS NULL" : "lease_owner = :owner";
        return jdbc.sql("""
                UPDATE backups SET status = 'failed', error_message = :message, completed_at = :now, blob_name = NULL,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE id = :id AND status = 'in_progress' AND\s""" + sameOwner)
                .param("message", message).param("now", now).param("id", orphan.id())
                .param("owner", orphan.leaseOwner()).update() == 1;
    }

    Optional<String> fingerprint(String id) {
        return jdbc.sql("SELECT fingerprint FROM backups WHERE id = ? AND fingerprint IS NOT NULL").param(id)
                .query(String.class).optional();
    }

    /** Records the latest verification of a completed backup; false when it is gone or no longer completed. */
    boolean recordVerification(String id, long at, String status, String kind, Map<String, Object> details) {
        return jdbc.sql("""
                UPDATE backups SET verified_at = ?, verification_status = ?, verification_kind = ?,
                    verification_details = ?, updated_at = ?
                WHERE id = ? AND status = 'completed'
                """).params(at, status, kind, json.write(details), at, id).update() == 1;
    }

    int delete(String id) {
        return jdbc.sql("DELETE FROM backups WHERE id = ?").param(id).update();
    }

    /** Deletes a backup unless it is locked or being pruned; 0 when it was either, decided under the row's lock. */
    int deleteUnheld(String id) {
        return jdbc.sql("DELETE FROM backups WHERE id = ? AND NOT locked AND pruning_at IS NULL").param(id).update();
    }

    boolean hasActive(String databaseId) {
        return jdbc.sql("SELECT count(*) FROM backups WHERE database_id = ? AND status IN ('pending', 'in_progress')")
                .param(databaseId).query(Long.class).single() > 0;
    }

    /** Every backup of a database, oldest first, for deleting them with it. */
    List<Backup> findFor(String databaseId) {
        return jdbc.sql(SELECT + " WHERE b.database_id = ? ORDER BY b.created_at, b.id").param(databaseId)
                .query(this::map).list();
    }

    int countFor(String databaseId) {
        return jdbc.sql("SELECT count(*) FROM backups WHERE database_id = ?").param(databaseId)
                .query(Integer.class).single();
    }

    int deleteFor(String databaseId) {
        jdbc.sql("DELETE FROM execution_logs WHERE execution_id IN (SELECT id FROM backups WHERE database_id = ?)")
                .param(databaseId).update();
        // Never a locked one, even if it was locked after the caller looked: the caller compares the count.
        return jdbc.sql("DELETE FROM backups WHERE database_id = ? AND NOT locked").param(databaseId).update();
    }

    /** Sets or clears the hold; false when the row is gone. */
    boolean setLock(String id, boolean locked, String reason, Long at, String by) {
        return jdbc.sql("UPDATE backups SET locked = ?, locked_reason = ?, locked_at = ?, locked_by = ? WHERE id = ?")
                .params(locked, reason, at, by, id).update() == 1;
    }

    /**
     * Marks a completed, unlocked backup as being pruned; false when it is no longer such a backup (locked, deleted,
     * or already marked) since the plan was made, or a restore or verification is queued or reading it, or when it
     * would leave its database without a newer good backup: the plan was made from what was true then, and a newer
     * backup may since have failed its verification or been pruned by another pass. The newest good backup of a
     * database is never marked, whatever the plan says.
     */
    boolean markPruning(String id, long now) {
        return jdbc.sql("""
                UPDATE backups SET pruning_at = ?
                WHERE id = ? AND status = 'completed' AND NOT locked AND pruning_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM restores r
                                  WHERE r.backup_id = backups.id AND r.status IN ('pending', 'in_progress'))
                  AND (coalesce(verification_status, '') = 'failed'
                       OR EXISTS (SELECT 1 FROM backups n
                                  WHERE n.database_id = backups.database_id AND n.id <> backups.id
                                    AND n.status = 'completed' AND n.pruning_at IS NULL
                                    AND coalesce(n.verification_status, '') <> 'failed'
                                    AND (n.created_at > backups.created_at
                                         OR (n.created_at = backups.created_at AND n.id > backups.id))))
                """)
                .params(now, id).update() == 1;
    }

    /** Completed backups of a database that retention may weigh: not already being pruned. Newest first. */
    List<Backup> findCompleted(String databaseId) {
        return jdbc.sql(SELECT + " WHERE b.database_id = ? AND b.status = 'completed' AND b.pruning_at IS NULL"
                + " ORDER BY b.created_at DESC, b.id DESC").param(databaseId).query(this::map).list();
    }

    /** When the newest completed backup of each database was started (queued), for overdue checks. */
    Map<String, Instant> lastCompleted() {
        Map<String, Instant> last = new HashMap<>();
        jdbc.sql("SELECT database_id, max(created_at) FROM backups WHERE status = 'completed' GROUP BY database_id")
                .query(rs -> {
                    last.put(rs.getString(1), Timestamps.fromMillis(rs.getLong(2)));
                });
        return last;
    }

    void deleteWithLogs(String id) {
        jdbc.sql("DELETE FROM execution_logs WHERE execution_id = ?").param(id).update();
        jdbc.sql("DELETE FROM backups WHERE id = ?").param(id).update();
    }

    private Backup map(ResultSet rs, int n) throws SQLException {
        var started = instant(rs, "started_at");
        var completed = instant(rs, "completed_at");
        String warnings = rs.getString("warnings");
        String details = rs.getString("verification_details");
        String tiers = rs.getString("tiers");
        return new Backup(
                rs.getString("id"), rs.getString("job_id"), rs.getString("queue_message_id"),
                rs.getString("database_id"), rs.getString("database_alias"), rs.getString("database_alias"),
                rs.getString("database_type"), rs.getString("engine_id"), rs.getString("engine_name"),
                rs.getString("status"), rs.getString("tier"), started, completed, Backup.duration(started, completed),
                rs.getString("blob_name"), null, longOrNull(rs, "file_size_bytes"), rs.getString("file_format"),
                rs.getString("error_message"), rs.getString("triggered_by"), instant(rs, "created_at"),
                rs.getString("checksum_sha256"), rs.getString("compression"), intOrNull(rs, "compression_level"),
                rs.getBoolean("encrypted"), rs.getString("encryption_key_id"), longOrNull(rs, "raw_size_bytes"),
                longOrNull(rs, "bytes_written"), rs.getString("server_version"), rs.getString("dump_tool"),
                rs.getString("dump_tool_version"),
                warnings == null ? List.of() : json.read(warnings, new TypeReference<List<String>>() { }),
                instant(rs, "heartbeat_at"), rs.getBoolean("cancel_requested"), rs.getString("fingerprint") != null,
                instant(rs, "verified_at"), rs.getString("verification_status"), rs.getString("verification_kind"),
                details == null ? null : json.read(details, new TypeReference<Map<String, Object>>() { }),
                tiers == null ? List.of() : json.read(tiers, new TypeReference<List<String>>() { }),
                rs.getBoolean("locked"), rs.getString("locked_reason"), instant(rs, "locked_at"),
                rs.getString("locked_by"), instant(rs, "pruning_at"));
    }

    private static java.time.Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Timestamps.fromMillis(value);
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
