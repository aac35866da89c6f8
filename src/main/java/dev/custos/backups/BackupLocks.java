package dev.custos.backups;

import java.time.Clock;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.custos.api.ApiException;
import dev.custos.api.Narrowing;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.RowLocks;

/**
 * Legal holds on backups: a locked backup is never pruned by retention and cannot be deleted until it is unlocked.
 * Both changes carry a reason, kept on the backup and in the audit trail.
 */
@Service
public class BackupLocks {

    static final int MAX_REASON = 1000;

    private final BackupRepository repository;
    private final AuditLog audit;
    private final RowLocks rows;
    private final Clock clock;

    BackupLocks(BackupRepository repository, AuditLog audit, RowLocks rows, Clock clock) {
        this.repository = repository;
        this.audit = audit;
        this.rows = rows;
        this.clock = clock;
    }

    @Transactional
    public Backup lock(String id, String reason) {
        if (reason == null || reason.isBlank()) {
            throw ApiException.badRequest("reason is required: say why this backup must be kept (a legal hold, an incident …)");
        }
        return change(id, true, reason.strip());
    }

    @Transactional
    public Backup unlock(String id, String reason) {
        if (reason == null || reason.isBlank()) {
            throw ApiException.badRequest("reason is required: say why this backup may be pruned and deleted again");
        }
        return change(id, false, reason.strip());
    }

    private Backup change(String id, boolean locked, String reason) {
        if (reason.length() > MAX_REASON) {
            throw ApiException.badRequest("reason must be at most " + MAX_REASON + " characters");
        }
        rows.lock("backups", id);
        Backup before = repository.find(id).filter(b -> Narrowing.visible(b.databaseId(), b.engineId()))
                .orElseThrow(() -> ApiException.notFound("Backup '" + id + "' not found"));
        if (locked && !"completed".equals(before.status())) {
            throw ApiException.conflict("Backup '" + id + "' is " + before.status() + "; only a completed backup can be locked");
        }
        if (locked && before.pruningAt() != null) {
            throw ApiException.conflict("Backup '" + id + "' is already being deleted by retention");
        }
        if (before.locked() == locked) {
            // Nothing changes; saying so beats a second event that records no change.
            throw ApiException.conflict("Backup '" + id + "' is already " + (locked ? "locked" : "unlocked"));
        }
        if (locked) {
            repository.setLock(id, true, reason, clock.millis(), AuditLog.currentActor());
        } else {
            repository.setLock(id, false, null, null, null);
        }
        Backup after = repository.find(id).orElseThrow();
        audit.success(BackupEvents.lockChanged(before, after, reason));
        return after;
    }
}
