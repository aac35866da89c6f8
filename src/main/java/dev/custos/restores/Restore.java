package dev.custos.restores;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.custos.jobs.JobStatus;

/**
 * A restore job as the API shows it (the spec's recovery execution): what is restored ({@code backup_id}, or an
 * uploaded file), where to ({@code target_*}), with which options, and how it went. {@code restore_type} is one of
 * {@link RestoreType}'s values. {@code target_touched} is false when a failed restore is known to have left the
 * target as it was; {@code details} holds what a test restore compared, or a verification's result.
 */
public record Restore(
        String id,
        String restoreType,
        String backupId,
        String status,
        String sourceDatabaseId,
        String databaseType,
        String targetEngineId,
        String targetDatabaseId,
        String targetDatabaseName,
        boolean createSnapshot,
        boolean strictDelete,
        boolean keepDefiners,
        boolean noOwner,
        String preRestoreSnapshotId,
        Instant startedAt,
        Instant completedAt,
        Double durationSeconds,
        Long bytesRead,
        Boolean targetTouched,
        String errorMessage,
        List<String> warnings,
        Map<String, Object> details,
        String triggeredBy,
        Instant createdAt,
        Instant heartbeatAt,
        boolean cancelRequested) {

    JobStatus state() {
        return JobStatus.fromValue(status);
    }

    static Double duration(Instant startedAt, Instant completedAt) {
        if (startedAt == null || completedAt == null) {
            return null;
        }
        return Duration.between(startedAt, completedAt).toMillis() / 1000.0;
    }
}
