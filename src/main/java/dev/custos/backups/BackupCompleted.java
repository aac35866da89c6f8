package dev.custos.backups;

/** Published once a backup is recorded completed, after its transaction committed: retention listens. */
public record BackupCompleted(String backupId, String databaseId) {
}
