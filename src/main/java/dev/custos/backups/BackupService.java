package dev.custos.backups;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.api.ApiException;
import dev.custos.api.Narrowing;
import dev.custos.api.PageNumbers;
import dev.custos.api.UtcDays;
import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.Filters;
import dev.custos.catalog.Ids;
import dev.custos.catalog.JsonColumns;
import dev.custos.connectors.Cancellation;
import dev.custos.connectors.Connectors;
import dev.custos.connectors.DatabaseKind;
import dev.custos.databases.DatabaseService;
import dev.custos.jobs.JobStatus;
import dev.custos.pipeline.Manifest;
import dev.custos.storage.StorageBackend;
import dev.custos.storage.StorageKeys;
import dev.custos.storage.StoredObject;

/** Backups as the API sees them: trigger, history, cancel, logs, files, download links and deletion. */
@Service
public class BackupService {

    /** Who queues backups: a user, the scheduler, or a restore taking its pre-restore snapshot. */
    /** What a backup recovered from its manifest by a catalog rebuild says of its trigger: the real one was lost with the catalog. */
    static final String RECOVERED = "catalog_rebuild";
    static final List<String> TRIGGERS = List.of("manual", "scheduler", "pre_restore", RECOVERED);
    static final int MAX_PAGE_SIZE = 100;
    static final int MAX_FILES = 1000;
    static final int MAX_BULK = 1000;

    private final BackupRepository repository;
    private final ExecutionLogs logs;
    private final BackupWorkers workers;
    private final DatabaseService databases;
    private final Connectors connectors;
    private final StorageBackend storage;
    private final AuditLog audit;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final JsonColumns json;

    BackupService(BackupRepository repository, ExecutionLogs logs, BackupWorkers workers, DatabaseService databases,
            Connectors connectors, StorageBackend storage, AuditLog audit, Clock clock,
            PlatformTransactionManager transactions, JsonColumns json) {
        this.json = json;
        this.repository = repository;
        this.logs = logs;
        this.workers = workers;
        this.databases = databases;
        this.connectors = connectors;
        this.storage = storage;
        this.audit = audit;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    public record Queued(String backupId, String jobId, String queueMessageId) {
    }

    /**
     * Queues a backup of a database. Refused with 409 while another backup of it is queued or running: two dumps
     * of one database at once only double the load, and the second would not be more recent than the first.
     * A scheduled run may count for several GFS tiers at once (daily and weekly, say), given smallest first:
     * {@code tier} records the largest, {@code tiers} all of them.
     */
    public Queued trigger(String databaseId, String triggeredBy, List<String> tiers) {
        String tier = tiers.isEmpty() ? null : tiers.get(tiers.size() - 1);
        String tierList = tiers.isEmpty() ? null : json.write(tiers);
        DatabaseService.BackupSource source = databases.backupSource(databaseId);
        if (connectors.forKind(source.kind()).isEmpty()) {
            throw ApiException.badRequest("Backups of " + source.kind().value() + " databases are not supported yet");
        }
        String id = Ids.newId("backup");
        Queued queued = new Queued(id, Ids.newId("job"), Ids.newId("msg"));
        try {
            tx.executeWithoutResult(status -> {
                requireIdle(databaseId);
                long now = clock.millis();
                repository.insertPending(new BackupRepository.NewJob(id, queued.jobId(), queued.queueMessageId(),
                        databaseId, source.name(), source.kind().value(), source.engineId(), tier, tierList, triggeredBy,
                        source.compression().algorithm().value(), source.compression().level(), source.encrypted(), now));
                logs.append(id, "info", "Queued (" + triggeredBy + ")", null);
                audit.success(BackupEvents.triggered(repository.find(id).orElseThrow()));
            });
        } catch (DataIntegrityViolationException e) {
            // Another trigger won the race between the check and the insert.
            throw busy(databaseId);
        }
        workers.wake();
        return queued;
    }

    void requireIdle(String databaseId) {
        if (repository.hasActive(databaseId)) {
            throw busy(databaseId);
        }
    }

    private ApiException busy(String databaseId) {
        return ApiException.conflict("A backup of database '" + databaseId + "' is already queued or running;"
                + " wait for it to finish or cancel it (POST /api/backups/{id}/cancel)");
    }

    /** The fingerprint of the source taken with this backup's dump, as JSON; empty when none was taken. */
    public Optional<String> fingerprint(String id) {
        return repository.fingerprint(id);
    }

    /**
     * Records the result of a verification of a completed backup on it ({@code verified_at},
     * {@code verification_status}, {@code verification_kind}, {@code verification_details}) with its audit event
     * {@code backup_verified} (status failed when the backup did not verify), in one transaction.
     *
     * @param kind {@code checksum} or {@code test_restore}
     */
    public Backup recordVerification(String id, boolean passed, String kind, Map<String, Object> details) {
        return tx.execute(status -> {
            Backup before = get(id);
            if (!repository.recordVerification(id, clock.millis(), passed ? "passed" : "failed", kind, details)) {
                throw ApiException.conflict("Backup '" + id + "' is no longer a completed backup");
            }
            Backup after = get(id);
            AuditEvent event = BackupEvents.verified(before, after);
            if (passed) {
                audit.success(event);
            } else {
                audit.failure(event, String.valueOf(details.getOrDefault("error", "verification failed")));
            }
            return after;
        });
    }

    /**
     * Waits until a queued or running backup has ended and returns it; cancels it if {@code cancellation} fires
     * first (and then still waits for it to end).
     */
    public Backup awaitEnd(String id, Cancellation cancellation) {
        Runnable unregister = cancellation.onCancel(() -> {
            try {
                cancel(id);
            } catch (ApiException e) {
                // ended meanwhile
            }
        });
        try {
            while (true) {
                Backup backup = get(id);
                if (backup.state().isFinal()) {
                    return backup;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Cancellation.CancelledException();
                }
            }
        } finally {
            unregister.run();
        }
    }

    /** The backup, unless it is not there or the current caller's grants leave its database out (404 either way). */
    public Backup get(String id) {
        return repository.find(id).filter(b -> Narrowing.visible(b.databaseId(), b.engineId()))
                .orElseThrow(() -> ApiException.notFound("Backup '" + id + "' not found"));
    }

    /** The filters of {@code GET /api/backups}; null means "not filtered". Dates are UTC days, both inclusive. */
    public record Query(String databaseId, String engineId, String status, String triggeredBy, String databaseType,
            String startDate, String endDate) {

        Filters filters() {
            List<String> problems = new ArrayList<>();
            if (status != null && !List.of(JobStatus.values()).stream().anyMatch(s -> s.value().equals(status))) {
                problems.add("status must be one of " + JobStatus.allValues() + " (got '" + status + "')");
            }
            if (triggeredBy != null && !TRIGGERS.contains(triggeredBy)) {
                problems.add("triggered_by must be one of " + String.join(", ", TRIGGERS) + " (got '" + triggeredBy + "')");
            }
            if (databaseType != null && DatabaseKind.parse(databaseType).isEmpty()) {
                problems.add("database_type must be one of " + String.join(", ", DatabaseKind.wireNames())
                        + " (got '" + databaseType + "')");
            }
            Long from = UtcDays.from(startDate, "start_date", problems);
            Long until = UtcDays.until(endDate, "end_date", problems);
            if (from != null && until != null && from >= until) {
                problems.add("end_date must not be before start_date");
            }
            if (!problems.isEmpty()) {
                throw ApiException.badRequest(String.join("; ", problems));
            }
            return new Filters()
                    .add("b.database_id = :database_id", "database_id", databaseId)
                    .add("b.engine_id = :engine_id", "engine_id", engineId)
                    .add("b.status = :status", "status", status)
                    .add("b.triggered_by = :triggered_by", "triggered_by", triggeredBy)
                    .add("b.database_type = :database_type", "database_type", databaseType)
                    .add("b.created_at >= :from", "from", from)
                    .add("b.created_at < :until", "until", until)
                    .and(Narrowing.filter("b.database_id", "b.engine_id"));
        }
    }

    public record Page(List<Backup> backups, long total, int page, int pageSize) {
        public boolean hasMore() {
            return (long) page * pageSize < total;
        }
    }

    public Page list(Query query, Integer page, Integer pageSize) {
        PageNumbers n = PageNumbers.of(page, pageSize, MAX_PAGE_SIZE);
        Filters filters = query.filters();
        return new Page(repository.list(filters, n.size(), n.offset()), repository.count(filters), n.page(), n.size());
    }

    /** Cancels a queued job at once, or asks a running one to stop (any node running it sees the request). */
    public Backup cancel(String id) {
        Backup before = get(id);
        JobStatus status = before.state();
        if (status.isFinal()) {
            throw ApiException.conflict("Backup '" + id + "' is already " + status.value() + " and cannot be cancelled");
        }
        boolean done = Boolean.TRUE.equals(tx.execute(s -> {
            long now = clock.millis();
            boolean changed = status == JobStatus.PENDING
                    ? repository.finishPending(id, JobStatus.CANCELLED, "Backup was cancelled before it started", now)
                    : repository.requestCancel(id, now);
            if (changed) {
                audit.success(BackupEvents.cancelRequested(before));
                if (status == JobStatus.PENDING) {
                    // Cancelled at once, never started: no worker will write its end.
                    audit.success(BackupEvents.ended(repository.find(id).orElseThrow()));
                }
                logs.append(id, "warning", "Cancel requested", null);
            }
            return changed;
        }));
        if (!done) {
            // It moved on between the read and the update (started, or finished): answer from its new state.
            Backup now = get(id);
            if (now.state().isFinal()) {
                throw ApiException.conflict("Backup '" + id + "' is already " + now.status() + " and cannot be cancelled");
            }
            return cancel(id);
        }
        workers.cancelLocally(id);
        return get(id);
    }

    public List<ExecutionLogs.Line> logs(String id) {
        get(id);
        return logs.lines(id);
    }

    public record File(String name, long size, String createdAt, String lastModified, String contentType) {
    }

    public List<File> files(String prefix, Integer limit) {
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > MAX_FILES) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_FILES + " (got " + max + ")");
        }
        String p = prefix == null ? "" : prefix;
        if (!p.isEmpty()) {
            validatePrefix(p);
        }
        List<File> files = new ArrayList<>();
        try {
            // Each object has its manifest right after it in key order, so twice the limit holds enough objects.
            for (StoredObject object : storage.list(p, max * 2 + 1)) {
                if (object.key().endsWith(Manifest.SUFFIX)
                        || !Narrowing.visible(Backup.outsideHistory(object.key()).databaseId(), null)) {
                    continue;
                }
                String time = dev.custos.catalog.Timestamps.format(object.lastModified());
                files.add(new File(object.key(), object.size(), time, time, contentType(object.key())));
                if (files.size() == max) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Storage could not be listed: " + e.getMessage());
        }
        return files;
    }

    private static void validatePrefix(String prefix) {
        try {
            StorageKeys.validatePrefix(prefix);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("prefix is not valid: " + e.getMessage());
        }
    }

    static String contentType(String name) {
        if (name.endsWith(".enc")) {
            return "application/octet-stream";
        }
        if (name.endsWith(".gz")) {
            return "application/gzip";
        }
        if (name.endsWith(".zst")) {
            return "application/zstd";
        }
        if (name.endsWith(".lz4")) {
            return "application/x-lz4";
        }
        if (name.endsWith(".sql")) {
            return "application/sql";
        }
        if (name.endsWith(".sqlite")) {
            return "application/vnd.sqlite3";
        }
        return "application/octet-stream";
    }

    /** Validates a {@code blob_name} a client sent: 400 when it is missing or not a valid object name. */
    static String blobName(String blobName, String field) {
        if (blobName == null || blobName.isBlank()) {
            throw ApiException.badRequest(field + " parameter is required");
        }
        try {
            StorageKeys.validate(blobName);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + " is not a valid backup name: " + e.getMessage());
        }
        if (blobName.endsWith(Manifest.SUFFIX)) {
            throw ApiException.badRequest(field + " names a manifest; name the backup file it describes");
        }
        return blobName;
    }

    /** Whether a name a client sent is a valid name of a backup file (not of a manifest). */
    static boolean isBlobName(String name) {
        try {
            blobName(name, "blob_name");
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** The history row of a backup file, without asking storage. */
    Optional<Backup> record(String blobName) {
        return repository.findByBlobName(blobName);
    }

    /** The object and its history row, or 404. A file made outside Custos has no row. */
    record Found(StoredObject object, Optional<Backup> backup) {
    }

    Found find(String blobName) {
        Optional<StoredObject> object;
        try {
            object = storage.stat(blobName);
        } catch (IOException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Storage could not be read: " + e.getMessage());
        }
        if (object.isEmpty()) {
            throw ApiException.notFound("Backup file '" + blobName + "' not found");
        }
        Optional<Backup> backup = repository.findByBlobName(blobName);
        Backup described = backup.orElseGet(() -> Backup.outsideHistory(blobName));
        if (!Narrowing.visible(described.databaseId(), described.engineId())) {
            throw ApiException.notFound("Backup file '" + blobName + "' not found");
        }
        if (backup.isPresent() && backup.get().pruningAt() != null) {
            throw ApiException.conflict("Backup '" + blobName + "' is being deleted by retention since "
                    + backup.get().pruningAt());
        }
        return new Found(object.get(), backup);
    }

    /**
     * Deletes one backup: its history row and audit event in one transaction that commits only once the object and
     * manifest are gone from storage, so a storage failure leaves the backup whole and still listed.
     */
    public void delete(String blobName, String type) {
        Found found = find(blobName);
        found.backup().filter(b -> !b.state().isFinal()).ifPresent(b -> {
            throw ApiException.conflict("Backup '" + blobName + "' is still " + b.status() + "; cancel it first");
        });
        found.backup().filter(Backup::locked).ifPresent(b -> {
            throw ApiException.conflict("Backup '" + blobName + "' is locked (" + b.lockedReason()
                    + "); unlock it first: POST /api/backups/" + b.id() + "/unlock");
        });
        Backup record = found.backup().orElse(null);
        AuditEvent event = BackupEvents.deleted(record == null ? Backup.outsideHistory(blobName) : record, blobName, type);
        try {
            tx.executeWithoutResult(s -> {
                audit.success(event);
                if (record != null) {
                    if (repository.deleteUnheld(record.id()) == 0) {
                        // Locked (or taken by retention) since it was read: the hold wins.
                        throw ApiException.conflict("Backup '" + blobName + "' was locked or is being pruned; not deleted");
                    }
                    logs.deleteFor(record.id());
                }
                try {
                    storage.delete(blobName);
                    storage.delete(Manifest.keyFor(blobName));
                } catch (IOException e) {
                    throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE,
                            "Backup '" + blobName + "' could not be deleted from storage: " + e.getMessage());
                }
            });
        } catch (RuntimeException e) {
            // The deletion rolled back with its success event; that it was tried and failed is an event of its own.
            failed(event, e);
            throw e;
        }
    }

    /** Writes the failed event of an action whose own transaction rolled back (with its success event). */
    private void failed(AuditEvent event, RuntimeException cause) {
        try {
            audit.failure(event, String.valueOf(cause.getMessage()));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    public record BulkResult(List<String> deleted, List<String> notFound, List<Map<String, String>> errors) {
    }

    public BulkResult deleteBulk(List<String> blobNames) {
        if (blobNames.size() > MAX_BULK) {
            throw ApiException.badRequest("blob_names may hold at most " + MAX_BULK + " names (got " + blobNames.size() + ")");
        }
        List<String> deleted = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        List<Map<String, String>> errors = new ArrayList<>();
        for (String name : blobNames) {
            try {
                delete(blobName(name, "blob_names[]"), "bulk");
                deleted.add(name);
            } catch (ApiException e) {
                if (e.status() == HttpStatus.NOT_FOUND) {
                    notFound.add(name);
                } else {
                    Map<String, String> error = new LinkedHashMap<>();
                    error.put("blob_name", name);
                    error.put("error", e.getMessage());
                    errors.add(error);
                }
            }
        }
        AuditEvent event = BackupEvents.deletedBulk(deleted, notFound, errors);
        tx.executeWithoutResult(s -> {
            if (errors.isEmpty()) {
                audit.success(event);
            } else {
                audit.failure(event, errors.size() + " of " + blobNames.size() + " backup(s) could not be deleted; "
                        + errors.get(0).get("blob_name") + ": " + errors.get(0).get("error")
                        + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more, see details.errors)" : ""));
            }
        });
        return new BulkResult(deleted, notFound, errors);
    }

    /**
     * Deletes every backup of a database: rows now, in the caller's transaction, each with its {@code backup_deleted}
     * event (type {@code cascade}, the whole record as {@code before}); objects once it commits. An object storage
     * will not delete stays behind, named by a failed {@code backup_file_deleted} event.
     */
    int deleteAllFor(String databaseId) {
        List<Backup> doomed = repository.findFor(databaseId);
        long locked = doomed.stream().filter(Backup::locked).count();
        if (locked > 0) {
            throw ApiException.conflict("Database '" + databaseId + "' has " + locked
                    + " locked backup(s); unlock them before deleting the database");
        }
        for (Backup b : doomed) {
            audit.success(BackupEvents.deleted(b, b.blobName(), "cascade"));
        }
        int deleted = repository.deleteFor(databaseId);
        if (deleted < doomed.size()) {
            // A backup was locked between the check above and the delete: roll the whole deletion back.
            throw ApiException.conflict("Database '" + databaseId + "' has a backup locked just now; unlock it"
                    + " before deleting the database");
        }
        Runnable removeObjects = () -> doomed.stream().filter(b -> b.blobName() != null).forEach(b -> {
            try {
                storage.delete(b.blobName());
                storage.delete(Manifest.keyFor(b.blobName()));
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(BackupService.class)
                        .warn("Could not delete {} of a deleted database: {}", b.blobName(), e.toString());
                audit.failureAfterCommit(BackupEvents.fileDeleted(b), "Backup file '" + b.blobName()
                        + "' of a deleted database could not be deleted from storage and was left there: "
                        + e.getMessage());
            }
        });
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    removeObjects.run();
                }
            });
        } else {
            removeObjects.run();
        }
        return deleted;
    }

    int countFor(String databaseId) {
        return repository.countFor(databaseId);
    }
}
