package dev.custos.backups;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import dev.custos.api.ApiException;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.RowLocks;
import dev.custos.pipeline.Manifest;
import dev.custos.storage.StorageBackend;

/**
 * The steps by which retention deletes a backup, so that a crash between any two leaves catalog and storage
 * consistent: {@link #mark} (in the caller's transaction, with the caller's own record of the pruning) hides the
 * backup from restores and downloads and writes {@code backup_pruned} before anything is touched;
 * {@link #removeObjects} deletes object and manifest and may be repeated; {@link #removeRecord} drops the history row.
 */
@Service
public class BackupPruning {

    private final BackupRepository repository;
    private final StorageBackend storage;
    private final AuditLog audit;
    private final RowLocks rows;
    private final Clock clock;

    BackupPruning(BackupRepository repository, StorageBackend storage, AuditLog audit, RowLocks rows, Clock clock) {
        this.repository = repository;
        this.storage = storage;
        this.audit = audit;
        this.rows = rows;
        this.clock = clock;
    }

    /** The completed backups of a database that retention weighs, newest first. */
    public List<Backup> candidates(String databaseId) {
        return repository.findCompleted(databaseId);
    }

    /** When the newest completed backup of each database was queued. */
    public Map<String, Instant> lastCompleted() {
        return repository.lastCompleted();
    }

    /**
     * Called in the transaction that queues a restore or verification of a backup: locks its row, so that a pruning
     * pass cannot mark it between the caller's checks and its insert (once the restore is queued, {@link #mark}
     * leaves the backup be), and refuses with 409 when one already has.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void holdForReading(String id) {
        rows.lock("backups", id);
        Backup b = repository.find(id).orElseThrow(() -> ApiException.notFound("Backup '" + id + "' not found"));
        if (b.pruningAt() != null) {
            throw ApiException.conflict("Backup '" + id + "' is being deleted by retention since " + b.pruningAt()
                    + "; choose another backup");
        }
    }

    /**
     * Marks a backup for pruning and audits why; empty when it may no longer be pruned (locked, deleted or marked
     * since the plan was made), and then nothing was written.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Backup> mark(String id, String reason, String policyId, String trigger) {
        rows.lock("backups", id);
        if (!repository.markPruning(id, clock.millis())) {
            return Optional.empty();
        }
        Backup b = repository.find(id).orElseThrow();
        audit.success(BackupEvents.pruned(b, reason, policyId, trigger));
        return Optional.of(b);
    }

    /**
     * Records that storage refused to delete a pruned backup's object: a failed {@code backup_file_deleted} (type
     * {@code retention}), so the trail never leaves a pruning looking finished that storage has not carried out.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void removalFailed(String id, String error) {
        repository.find(id).ifPresent(b -> audit.failure(BackupEvents.fileDeleted(b, "retention"), "Backup file '"
                + b.blobName() + "' could not be deleted from storage; retention tries again at its next sweep: "
                + error));
    }

    /** Deletes a pruned backup's object and manifest; deleting what is already gone is not an error. */
    public void removeObjects(String blobName) throws IOException {
        if (blobName != null) {
            storage.delete(blobName);
            storage.delete(Manifest.keyFor(blobName));
        }
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void removeRecord(String id) {
        repository.deleteWithLogs(id);
    }
}
