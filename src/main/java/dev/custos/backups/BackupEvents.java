package dev.custos.backups;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.custos.audit.AuditEvent;

/** The audit events of backups, with the spec's action names and {@code details} fields. */
final class BackupEvents {

    private BackupEvents() {
    }

    static AuditEvent triggered(Backup b) {
        Map<String, Object> details = database(b);
        details.put("triggered_by", b.triggeredBy());
        details.put("job_id", b.jobId());
        details.put("backup_id", b.id());
        details.put("compression", b.compression());
        details.put("encrypted", b.encrypted());
        return event("backup_triggered", b, details).withAfter(b);
    }

    static AuditEvent started(Backup b, String worker) {
        Map<String, Object> details = database(b);
        details.put("job_id", b.jobId());
        details.put("worker", worker);
        return event("backup_started", b, details);
    }

    static AuditEvent completed(Backup b) {
        Map<String, Object> details = database(b);
        details.put("job_id", b.jobId());
        details.put("blob_name", b.blobName());
        details.put("file_size_bytes", b.fileSizeBytes());
        details.put("checksum_sha256", b.checksumSha256());
        details.put("duration_seconds", b.durationSeconds());
        details.put("encrypted", b.encrypted());
        details.put("encryption_key_id", b.encryptionKeyId());
        return event("backup_completed", b, details).withAfter(b);
    }

    /** A failed or cancelled job: {@code backup_failed} / {@code backup_cancelled}. */
    static AuditEvent ended(Backup b) {
        Map<String, Object> details = database(b);
        details.put("job_id", b.jobId());
        details.put("status", b.status());
        return event("backup_" + b.status(), b, details).withAfter(b);
    }

    static AuditEvent cancelRequested(Backup b) {
        Map<String, Object> details = database(b);
        details.put("job_id", b.jobId());
        details.put("status_before", b.status());
        return event("backup_cancel_requested", b, details).withBefore(b);
    }

    static AuditEvent verified(Backup before, Backup after) {
        Map<String, Object> details = database(after);
        details.put("backup_id", after.id());
        details.put("verification_kind", after.verificationKind());
        details.put("verification_status", after.verificationStatus());
        details.put("verification_details", after.verificationDetails());
        return event("backup_verified", after, details).withBefore(before).withAfter(after);
    }

    static AuditEvent downloadLinkIssued(Backup b, String blobName, int expiryHours) {
        Map<String, Object> details = database(b);
        details.put("blob_name", blobName);
        details.put("file_name", fileName(blobName));
        details.put("expiry_hours", expiryHours);
        return event("backup_downloaded", b, details);
    }

    static AuditEvent fileServed(Backup b, String blobName, String range, long bytes) {
        Map<String, Object> details = database(b);
        details.put("blob_name", blobName);
        details.put("file_name", fileName(blobName));
        details.put("range", range);
        details.put("bytes", bytes);
        return event("backup_file_served", b, details);
    }

    static AuditEvent deleted(Backup b, String blobName, String type) {
        Map<String, Object> details = database(b);
        details.put("blob_name", blobName);
        details.put("file_name", fileName(blobName));
        details.put("type", type);
        return event("backup_deleted", b, details).withBefore(b);
    }

    /** The object of a backup whose record was deleted with its database: only written when storage refused it. */
    static AuditEvent fileDeleted(Backup b) {
        return fileDeleted(b, "cascade");
    }

    /** The object of a backup removed from storage; {@code type} says why: cascade, retention. */
    static AuditEvent fileDeleted(Backup b, String type) {
        Map<String, Object> details = database(b);
        details.put("blob_name", b.blobName());
        details.put("file_name", fileName(b.blobName()));
        details.put("type", type);
        return event("backup_file_deleted", b, details);
    }

    static AuditEvent deletedBulk(List<String> deleted, List<String> notFound, List<Map<String, String>> errors) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("deleted_count", deleted.size());
        details.put("deleted_files", deleted);
        details.put("not_found_count", notFound.size());
        details.put("not_found_files", notFound);
        details.put("error_count", errors.size());
        details.put("errors", errors);
        return AuditEvent.of("backup_deleted_bulk", "backup", null, null, details);
    }

    /** {@code backup_locked} / {@code backup_unlocked}, with the reason. */
    static AuditEvent lockChanged(Backup before, Backup after, String reason) {
        Map<String, Object> details = database(after);
        details.put("blob_name", after.blobName());
        details.put("reason", reason);
        return event(after.locked() ? "backup_locked" : "backup_unlocked", after, details).withBefore(before).withAfter(after);
    }

    /** Written with the mark, before the object is touched: why retention deletes this backup. */
    static AuditEvent pruned(Backup b, String reason, String policyId, String trigger) {
        Map<String, Object> details = database(b);
        details.put("blob_name", b.blobName());
        details.put("file_name", b.blobName() == null ? null : fileName(b.blobName()));
        details.put("file_size_bytes", b.fileSizeBytes());
        details.put("tier", b.tier());
        details.put("backup_created_at", b.createdAt() == null ? null : b.createdAt().toString());
        details.put("policy_id", policyId);
        details.put("reason", reason);
        details.put("trigger", trigger);
        return event("backup_pruned", b, details).withBefore(b);
    }

    private static AuditEvent event(String action, Backup b, Map<String, Object> details) {
        return AuditEvent.of(action, "backup", b.id(), b.blobName() == null ? b.databaseAlias() : b.blobName(), details);
    }

    private static Map<String, Object> database(Backup b) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("database_id", b.databaseId());
        details.put("database_alias", b.databaseAlias());
        details.put("database_type", b.databaseType());
        details.put("engine_id", b.engineId());
        return details;
    }

    static String fileName(String blobName) {
        return blobName == null ? null : blobName.substring(blobName.lastIndexOf('/') + 1);
    }
}
