package dev.custos.restores;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.custos.audit.AuditEvent;

/**
 * The audit events of restores. {@code restore_requested} carries what {@code 001_*} asks for (restore id, backup id,
 * type, {@code create_snapshot}, {@code strict_delete}, {@code pre_restore_snapshot_id}); restores write into a
 * user's data, so they are logged before the work starts and again when it ends. A test restore's events are named
 * {@code test_restore_*} and a checksum verification's {@code verification_*}, so each is classified for what it
 * is: a test restore decrypts the data into a scratch database, a verification hands no data to anyone.
 */
final class RestoreEvents {

    private RestoreEvents() {
    }

    static AuditEvent requested(Restore r) {
        return event("requested", r).withAfter(r);
    }

    static AuditEvent started(Restore r, String worker) {
        AuditEvent e = event("started", r);
        e.details().put("worker", worker);
        return e;
    }

    /**
     * {@code restore_completed}, {@code restore_failed} or {@code restore_cancelled} (or {@code test_restore_*},
     * {@code verification_*}). {@code result} is what the job recorded (the tool and its version; what a test
     * restore compared; a verification's size, SHA-256 and message); a test restore or verification also says
     * whether the backup passed.
     */
    static AuditEvent ended(Restore r) {
        AuditEvent e = event(r.status(), r).withAfter(r);
        e.details().put("duration_seconds", r.durationSeconds());
        e.details().put("bytes_read", r.bytesRead());
        e.details().put("target_touched", r.targetTouched());
        e.details().put("result", r.details());
        if (type(r) == RestoreType.TEST_RESTORE || type(r) == RestoreType.VERIFY) {
            e.details().put("verification_status", switch (r.status()) {
                case "completed" -> "passed";
                case "failed" -> "failed";
                default -> null;
            });
        }
        return e;
    }

    static AuditEvent cancelRequested(Restore r) {
        return event("cancel_requested", r).withBefore(r);
    }

    private static RestoreType type(Restore r) {
        return RestoreType.parse(r.restoreType()).orElse(RestoreType.SAME_DATABASE);
    }

    /** {@code restore_<what>}, {@code test_restore_<what>} or {@code verification_<what>}. */
    private static AuditEvent event(String what, Restore r) {
        String action = switch (type(r)) {
            case TEST_RESTORE -> "test_restore_";
            case VERIFY -> "verification_";
            default -> "restore_";
        } + what;
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
        // A verification or test restore has no target: it is about the backup it checks.
        String name = r.targetDatabaseName() != null ? r.targetDatabaseName() : r.backupId();
        return AuditEvent.of(action, "restore", r.id(), name, details);
    }
}
