package dev.custos.databases;

/**
 * The backups of a database, as deleting the database needs them. Implemented by the backups feature, which sits
 * above databases: this port lets a deletion reach backups without databases depending on them.
 */
public interface DatabaseBackups {

    /** @throws dev.custos.api.ApiException 409 when a backup of the database is queued or running */
    void requireIdle(String databaseId);

    int count(String databaseId);

    /**
     * Deletes the database's backup history in the caller's transaction and, once that transaction commits, their
     * objects and manifests in storage. Returns the number of backups deleted.
     */
    int deleteAll(String databaseId);
}
