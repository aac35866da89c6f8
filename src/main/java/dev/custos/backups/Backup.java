package dev.custos.backups;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;

import dev.custos.jobs.JobStatus;

/**
 * A backup as the API shows it: the spec's {@code BackupResult} plus what proves it ({@code checksum_sha256},
 * sizes, the tool that made it) and, while it runs, its progress ({@code bytes_written}, {@code heartbeat_at}).
 * {@code has_fingerprint} says whether the source's fingerprint was taken with the dump (a test restore compares
 * against it); {@code verified_at}, {@code verification_status} ({@code passed}/{@code failed}),
 * {@code verification_kind} ({@code checksum}/{@code test_restore}) and {@code verification_details} are the latest
 * verification's result. {@code tiers} lists every GFS tier a scheduled run counted for ({@code tier} is the largest);
 * {@code locked} backups (with who locked them, when and why) are never pruned or deleted. {@code database_name} and {@code database_alias} both carry the database's display name: the spec uses the
 * first in its example and the second in its data model.
 */
public record Backup(
        String id,
        String jobId,
        String queueMessageId,
        String databaseId,
        String databaseName,
        String databaseAlias,
        String databaseType,
        String engineId,
        String engineName,
        String status,
        String tier,
        Instant startedAt,
        Instant completedAt,
        Double durationSeconds,
        String blobName,
        String blobUrl,
        Long fileSizeBytes,
        String fileFormat,
        String errorMessage,
        String triggeredBy,
        Instant createdAt,
        String checksumSha256,
        String compression,
        Integer compressionLevel,
        boolean encrypted,
        String encryptionKeyId,
        Long rawSizeBytes,
        Long bytesWritten,
        String serverVersion,
        String dumpTool,
        String dumpToolVersion,
        List<String> warnings,
        Instant heartbeatAt,
        boolean cancelRequested,
        boolean hasFingerprint,
        Instant verifiedAt,
        String verificationStatus,
        String verificationKind,
        Map<String, Object> verificationDetails,
        List<String> tiers,
        boolean locked,
        String lockedReason,
        Instant lockedAt,
        String lockedBy,
        @JsonIgnore Instant pruningAt) {

    JobStatus state() {
        return JobStatus.fromValue(status);
    }

    static Double duration(Instant startedAt, Instant completedAt) {
        if (startedAt == null || completedAt == null) {
            return null;
        }
        return Duration.between(startedAt, completedAt).toMillis() / 1000.0;
    }

    /**
     * What can be said of a file in storage that has no history row (made outside Custos, or left by a deleted
     * database): its name, and the type and database id its path follows.
     */
    static Backup outsideHistory(String blobName) {
        String[] parts = blobName.split("/");
        String type = parts.length > 2 ? parts[0] : null;
        String databaseId = parts.length > 2 ? parts[1] : null;
        return new Backup(null, null, null, databaseId, null, null, type, null, null, null, null, null, null, null,
                blobName, null, null, null, null, null, null, null, null, null, false, null, null, null, null, null,
                null, List.of(), null, false, false, null, null, null, null, List.of(), false, null, null, null, null);
    }
}
