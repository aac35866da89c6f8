package dev.custos.restores;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.custos.audit.AuditEvent;

/**
 * The audit events of restores. {@code restore_requested} carries what {@code 001_*} asks for (restore id, backup id,
 * type, {@code create_snapshot}, {@code strict_delete}, {@code pre_restore_snapshot_id}); restores write into a
 * user's data, so they are logged before the work starts and again when it ends.
 */
final class RestoreEvents {

    private RestoreEvents() {
    }

    static AuditEvent requested(Restore r) {
        return event("restore_requested", r).withAfter(r);
    }

    static AuditEvent started(Restore r, String worker) {
        AuditEvent e = event("restore_started", r);
        e.details().put("worker", worker);
        return e;
    }

    /** {@code restore_completed}, {@code restore_failed} or {@code restore_cancelled}; for a test restore or a verification {@code test_restore_*} / {@code verification_*}. */
    static AuditEvent ended(Restore r) {
        String prefix = switch (RestoreType.parse(r.restoreType()).orElse(RestoreType.SAME_DATABASE)) {
            case TEST_RESTORE -> "test_restore_";
            case VERIFY -> "verification_";
            default -> "restore_";
        };
        AuditEvent e = event(prefix + r.status(), r).withAfter(r);
        e.details().put("duration_seconds", r.durationSeconds());
        e.details().put("bytes_read", r.bytesRead());
        e.details().put("target_touched", r.targetTouched());
        return e;
    }

    static AuditEvent cancelRequested(Restore r) {
        return event("restore_cancel_requested", r).withBefore(r);
    }

    private static AuditEvent event(String action, Restore r) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("restore_id", r.id());
        details.put("backup_id", r.backupId());
        details.put("restore_type", r.restoreType());
        details.put("create_snapshot", r.createSnapshot());
        details.put("strict_delete", r.strictDelete());
        details.put("pre_restore_snapshot_id", r.preRestoreSnapshotId());
        details.put("database_type", r.databaseType());
        details.put("source_database_id", r.sourceDatabaseId());
        details.put("target_engine_id", r.targetEngineId());
        details.put("target_database_id", r.targetDatabaseId());
        details.put("target_database_name", r.targetDatabaseName());
        return AuditEvent.of(action, "restore", r.id(), r.targetDatabaseName(), details);
    }
}
