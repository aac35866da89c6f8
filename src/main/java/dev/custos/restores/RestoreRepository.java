package dev.custos.restores;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import dev.custos.api.Narrowing;
import dev.custos.catalog.Filters;
import dev.custos.catalog.JsonColumns;
import dev.custos.catalog.Timestamps;
import dev.custos.jobs.JobQueue;
import dev.custos.jobs.JobStatus;

/**
 * The restores table: queue and history of restore jobs, test restores and verifications. Like the backups table,
 * every status change is a conditional UPDATE naming the status it leaves and, for a running job, its lease owner.
 */
@Repository
class RestoreRepository implements JobQueue {

    private final JdbcClient jdbc;
    private final JsonColumns json;

    RestoreRepository(JdbcClient jdbc, JsonColumns json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A job to queue; {@code upload*} only for restores of an uploaded file. */
    record NewRestore(String id, RestoreType type, String backupId, String sourceDatabaseId, String databaseType,
            String targetEngineId, String targetDatabaseId, String targetDatabaseName, String targetKey,
            boolean createSnapshot, boolean strictDelete, boolean keepDefiners, boolean noOwner, boolean confirmed,
            String uploadKey, String uploadSha256, Long uploadBytes, String uploadFormat, String uploadCompression,
            String uploadKeyId, String triggeredBy, long now) {
    }

    /** @throws org.springframework.dao.DataIntegrityViolationException when the target already has a queued or running restore */
    void insertPending(NewRestore r) {
        jdbc.sql("""
                INSERT INTO restores (id, restore_type, backup_id, source_database_id, database_type, target_engine_id,
                    target_database_id, target_database_name, target_key, status, create_snapshot, strict_delete,
                    keep_definers, no_owner, confirmed, upload_key, upload_sha256, upload_bytes, upload_format,
                    upload_compression, upload_key_id, triggered_by, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
                .params(r.id(), r.type().value(), r.backupId(), r.sourceDatabaseId(), r.databaseType(), r.targetEngineId(),
                        r.targetDatabaseId(), r.targetDatabaseName(), r.targetKey(), r.createSnapshot(),
                        r.strictDelete(), r.keepDefiners(), r.noOwner(), r.confirmed(), r.uploadKey(), r.uploadSha256(),
                        r.uploadBytes(), r.uploadFormat(), r.uploadCompression(), r.uploadKeyId(), r.triggeredBy(),
                        r.now(), r.now())
                .update();
    }

    /** What a job needs beyond its public view: the upload it reads and whether the user confirmed overwriting. */
    record Job(Restore restore, boolean confirmed, Upload upload) {
    }

    /** An uploaded dump staged in storage: where, its stored size and SHA-256, and how to decode it. */
    record Upload(String key, String sha256, long bytes, String format, String compression, String keyId) {
    }

    boolean hasActive(String targetKey) {
        return jdbc.sql("SELECT count(*) FROM restores WHERE target_key = ? AND status IN ('pending', 'in_progress')")
                .param(targetKey).query(Long.class).single() > 0;
    }

    Optional<Restore> find(String id) {
        return jdbc.sql("SELECT * FROM restores WHERE id = ?").param(id).query(this::map).optional();
    }

    Optional<Job> job(String id) {
        return jdbc.sql("SELECT * FROM restores WHERE id = ?").param(id)
                .query((rs, n) -> new Job(map(rs, n), rs.getBoolean("confirmed"), rs.getString("upload_key") == null ? null
                        : new Upload(rs.getString("upload_key"), rs.getString("upload_sha256"), rs.getLong("upload_bytes"),
                                rs.getString("upload_format"), rs.getString("upload_compression"),
                                rs.getString("upload_key_id"))))
                .optional();
    }

    List<Restore> list(Filters filters, int limit, int offset) {
        return jdbc.sql("SELECT * FROM restores" + filters.where()
                        + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
                .params(filters.params()).param("limit", limit).param("offset", offset).query(this::map).list();
    }

    long count(Filters filters) {
        return jdbc.sql("SELECT count(*) FROM restores" + filters.where()).params(filters.params())
                .query(Long.class).single();
    }

    @Override
    public Optional<String> nextPending() {
        return jdbc.sql("SELECT id FROM restores WHERE status = 'pending' ORDER BY created_at, id LIMIT 1")
                .query(String.class).optional();
    }

    @Override
    public boolean claim(String id, String owner, long now, long leaseUntil) {
        JobStatus.requireTransition(JobStatus.PENDING, JobStatus.IN_PROGRESS);
        return jdbc.sql("""
                UPDATE restores SET status = 'in_progress', lease_owner = ?, lease_expires_at = ?, heartbeat_at = ?,
                    started_at = ?, bytes_read = 0, updated_at = ?
                WHERE id = ? AND status = 'pending'
                """).params(owner, leaseUntil, now, now, now, id).update() == 1;
    }

    @Override
    public Optional<Boolean> heartbeat(String id, String owner, long now, long leaseUntil, long bytesRead) {
        int updated = jdbc.sql("""
                UPDATE restores SET lease_expires_at = ?, heartbeat_at = ?, bytes_read = ?, updated_at = ?
                WHERE id = ? AND status = 'in_progress' AND lease_owner = ?
                """).params(leaseUntil, now, bytesRead, now, id, owner).update();
        if (updated == 0) {
            return Optional.empty();
        }
        return Optional.of(jdbc.sql("SELECT cancel_requested FROM restores WHERE id = ?").param(id)
                .query(Boolean.class).single());
    }

    boolean setSnapshot(String id, String owner, String snapshotId) {
        return jdbc.sql("""
                UPDATE restores SET pre_restore_snapshot_id = ?, updated_at = updated_at
                WHERE id = ? AND status = 'in_progress' AND lease_owner = ?
                """).params(snapshotId, id, owner).update() == 1;
    }

    /** Where a restore into a new database or file ended up, once it is known. */
    boolean setTargetDatabase(String id, String owner, String targetDatabaseId) {
        return jdbc.sql("UPDATE restores SET target_database_id = ? WHERE id = ? AND status = 'in_progress' AND lease_owner = ?")
                .params(targetDatabaseId, id, owner).update() == 1;
    }

    /** in_progress → completed, failed or cancelled by the worker that holds the job. */
    boolean finish(String id, String owner, JobStatus to, long now, Long bytesRead, Boolean targetTouched,
            String errorMessage, List<String> warnings, Map<String, Object> details) {
        JobStatus.requireTransition(JobStatus.IN_PROGRESS, to);
        return jdbc.sql("""
                UPDATE restores SET status = ?, completed_at = ?, bytes_read = COALESCE(?, bytes_read),
                    target_touched = ?, error_message = ?, warnings = ?, details = ?, lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = ?
                WHERE id = ? AND status = 'in_progress' AND lease_owner = ?
                """).params(to.value(), now, bytesRead, targetTouched, errorMessage, json.write(warnings),
                        json.write(details), now, id, owner).update() == 1;
    }

    boolean finishPending(String id, JobStatus to, String errorMessage, long now) {
        JobStatus.requireTransition(JobStatus.PENDING, to);
        return jdbc.sql("""
                UPDATE restores SET status = ?, error_message = ?, completed_at = ?, updated_at = ?
                WHERE id = ? AND status = 'pending'
                """).params(to.value(), errorMessage, now, now, id).update() == 1;
    }

    boolean requestCancel(String id, long now) {
        return jdbc.sql("UPDATE restores SET cancel_requested = TRUE, updated_at = ? WHERE id = ? AND status = 'in_progress'")
                .params(now, id).update() == 1;
    }

    record Orphan(String id, String leaseOwner, String uploadKey) {
    }

    List<Orphan> orphans(long now, boolean all, String keepOwner) {
        String where = all ? "status = 'in_progress' AND (lease_owner IS NULL OR lease_owner <> :owner)"
                : "status = 'in_progress' AND lease_expires_at < :now";
        return jdbc.sql("SELECT id, lease_owner, upload_key FROM restores WHERE " + where)
                .param("owner", keepOwner).param("now", now)
                .query((rs, n) -> new Orphan(rs.getString(1), rs.getString(2), rs.getString(3))).list();
    }

    boolean failOrphan(Orphan orphan, String message, long now) {
        JobStatus.requireTransition(JobStatus.IN_PROGRESS, JobStatus.FAILED);
        String sameOwner = orphan.leaseOwner() == null ? "lease_owner IS NULL" : "lease_owner = :owner";
        return jdbc.sql("""
                UPDATE restores SET status = 'failed', error_message = :message, completed_at = :now,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE id = :id AND status = 'in_progress' AND\s""" + sameOwner)
                .param("message", message).param("now", now).param("id", orphan.id())
                .param("owner", orphan.leaseOwner()).update() == 1;
    }

    /**
     * The newest completed backup of every database, where no test restore has checked it yet: what the periodic
     * test restore queues.
     */
    List<String> newestUntestedBackups() {
        return jdbc.sql("""
                SELECT b.id FROM backups b
                WHERE b.status = 'completed' AND b.blob_name IS NOT NULL
                  AND (b.verification_kind IS NULL OR b.verification_kind <> 'test_restore')
                  AND b.created_at = (SELECT max(b2.created_at) FROM backups b2
                                      WHERE b2.database_id = b.database_id AND b2.status = 'completed')
                ORDER BY b.database_id
                """).query(String.class).list();
    }

    List<LastRestorable> lastRestorable() {
        return jdbc.sql("""
                SELECT d.id, d.name, b.id, b.created_at, b.verified_at
                FROM databases d
                LEFT JOIN backups b ON b.id = (
                    SELECT b2.id FROM backups b2
                    WHERE b2.database_id = d.id AND b2.status = 'completed' AND b2.verification_kind = 'test_restore'
                      AND b2.verification_status = 'passed'
                    ORDER BY b2.created_at DESC, b2.id DESC LIMIT 1)
                ORDER BY d.name, d.id
                """)
                .query((rs, n) -> new LastRestorable(rs.getString(1), rs.getString(2), rs.getString(3),
                        instant(rs, 4), instant(rs, 5)))
                .list();
    }

    /** Test restores that failed since the backup they checked was made, newest first; for system status. */
    /** The newest failed test restores and verifications of the databases the current caller may see. */
    List<Restore> recentFailedTestRestores(int limit) {
        Filters f = new Filters().add("restore_type IN ('test_restore', 'verify') AND status = 'failed'", Map.of())
                .and(Narrowing.databaseFilter("source_database_id"));
        return jdbc.sql("SELECT * FROM restores" + f.where() + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                .params(f.params()).param("limit", limit).query(this::map).list();
    }

    private Restore map(ResultSet rs, int n) throws SQLException {
        Instant started = instant(rs, "started_at");
        Instant completed = instant(rs, "completed_at");
        String warnings = rs.getString("warnings");
        String details = rs.getString("details");
        boolean touched = rs.getBoolean("target_touched");
        Boolean targetTouched = rs.wasNull() ? null : touched;
        return new Restore(rs.getString("id"), rs.getString("restore_type"), rs.getString("backup_id"),
                rs.getString("status"), rs.getString("source_database_id"), rs.getString("database_type"),
                rs.getString("target_engine_id"), rs.getString("target_database_id"),
                rs.getString("target_database_name"), rs.getBoolean("create_snapshot"), rs.getBoolean("strict_delete"),
                rs.getBoolean("keep_definers"), rs.getBoolean("no_owner"), rs.getString("pre_restore_snapshot_id"),
                started, completed, Restore.duration(started, completed), longOrNull(rs, "bytes_read"), targetTouched,
                rs.getString("error_message"),
                warnings == null ? List.of() : json.read(warnings, new TypeReference<List<String>>() { }),
                details == null ? Map.of() : json.read(details, new TypeReference<Map<String, Object>>() { }),
                rs.getString("triggered_by"), instant(rs, "created_at"), instant(rs, "heartbeat_at"),
                rs.getBoolean("cancel_requested"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Timestamps.fromMillis(value);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Timestamps.fromMillis(value);
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
