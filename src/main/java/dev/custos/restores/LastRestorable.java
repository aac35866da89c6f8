package dev.custos.restores;

import java.time.Instant;

/**
 * A database's newest backup that a test restore proved restorable; {@code backupId} and the times are null when
 * none has been proven yet.
 */
public record LastRestorable(String databaseId, String databaseName, String backupId, Instant backupCreatedAt,
        Instant verifiedAt) {
}
