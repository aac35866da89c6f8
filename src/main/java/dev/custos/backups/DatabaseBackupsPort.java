package dev.custos.backups;

import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

import dev.custos.databases.DatabaseBackups;

/** Lets a database deletion reach its backups (the port is declared by databases, which sits below backups). */
@Component
class DatabaseBackupsPort implements DatabaseBackups {

    private final BackupService backups;

    // Lazy: BackupService needs DatabaseService, which needs this port.
    DatabaseBackupsPort(@Lazy BackupService backups) {
        this.backups = backups;
    }

    @Override
    public void requireIdle(String databaseId) {
        backups.requireIdle(databaseId);
    }

    @Override
    public int count(String databaseId) {
        return backups.countFor(databaseId);
    }

    @Override
    public int deleteAll(String databaseId) {
        return backups.deleteAllFor(databaseId);
    }
}
