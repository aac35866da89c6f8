package dev.custos.restores;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.api.ApiException;
import dev.custos.api.Narrowing;
import dev.custos.api.JsonBody;
import dev.custos.api.PageNumbers;
import dev.custos.api.UtcDays;
import dev.custos.audit.AuditLog;
import dev.custos.backups.Backup;
import dev.custos.backups.BackupPruning;
import dev.custos.backups.BackupService;
import dev.custos.backups.ExecutionLogs;
import dev.custos.catalog.Filters;
import dev.custos.catalog.Ids;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.TargetState;
import dev.custos.engines.EngineService;
import dev.custos.jobs.JobStatus;
import dev.custos.pipeline.Artifact;
import dev.custos.pipeline.ArtifactPipeline;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.storage.StorageBackend;

/**
 * Restores as the API sees them: queue a restore of a backup or of an uploaded file, a verification or a test
 * restore; history, cancel, logs, rollback. Everything a user can get wrong is checked here, before anything is
 * queued: the target, its kind, whether it is empty or confirmed, whether someone else uses it. The job checks again
 * when it runs, since a target can change in between.
 */
@Service
public class RestoreService {

    static final int MAX_PAGE_SIZE = 100;
    /** PostgreSQL's and MySQL's limit on a database name. */
    static final int MAX_DATABASE_NAME = 63;

    private final RestoreRepository repository;
    private final RestoreTargets targets;
    private final RestoreWorkers workers;
    private final BackupService backups;
    private final BackupPruning pruning;
    private final EngineService engines;
    private final ExecutionLogs logs;
    private final ArtifactPipeline pipeline;
    private final StorageBackend storage;
    private final AuditLog audit;
    private final RestoreProperties properties;
    private final Clock clock;
    private final TransactionTemplate tx;

    RestoreService(RestoreRepository repository, RestoreTargets targets, RestoreWorkers workers, BackupService backups,
            BackupPruning pruning, EngineService engines, ExecutionLogs logs, ArtifactPipeline pipeline,
            StorageBackend storage, AuditLog audit, RestoreProperties properties, Clock clock, PlatformTransactionManager transactions) {
        this.repository = repository;
        this.targets = targets;
        this.workers = workers;
        this.backups = backups;
        this.pruning = pruning;
        this.engines = engines;
        this.logs = logs;
        this.pipeline = pipeline;
        this.storage = storage;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    /** Where to restore and how, as a request gives it (JSON body or query parameters). */
    record Request(String targetDatabaseId, String targetEngineId, String targetDatabaseName, boolean createSnapshot,
            boolean strictDelete, String confirm, boolean keepDefiners, boolean noOwner) {
    }

    static Request read(JsonBody body) {
        Request r = new Request(
                body.nonBlankString("target_database_id", 200).orElse(null),
                body.nonBlankString("target_engine_id", 200).orElse(null),
                body.nonBlankString("target_database_name", 4096).orElse(null),
                body.bool("create_snapshot").orElse(true),
                body.bool("strict_delete").orElse(false),
                body.nonBlankString("confirm", 4096).orElse(null),
                body.bool("keep_definers").orElse(false),
                body.bool("no_owner").orElse(false));
        body.throwIfInvalid();
        return r;
    }

    /** Queues a restore of a completed backup. */
    public Restore restoreBackup(String backupId, JsonBody body, String triggeredBy) {
        Request request = read(body);
        Backup backup = completed(backupId);
        DatabaseKind kind = kind(backup);
        Resolved resolved = resolve(request, kind, backup.databaseId());
        check(resolved, request);
        return queue(new RestoreRepository.NewRestore(Ids.newId("restore"), resolved.type(), backup.id(),
                backup.databaseId(), kind.value(), resolved.target().engineId(), resolved.target().databaseId(),
                resolved.target().databaseName(), resolved.target().key(), request.createSnapshot(),
                request.strictDelete(), request.keepDefiners(), request.noOwner(), confirmed(resolved, request),
                null, null, null, null, null, null, triggeredBy, clock.millis()), resolved.target());
    }

    /**
     * Rolls a restore back: restores its pre-restore snapshot into the same database, exactly (strict_delete), with
     * no new snapshot.
     */
    public Restore rollback(String restoreId, String triggeredBy) {
        Restore r = get(restoreId);
        if (r.preRestoreSnapshotId() == null) {
            throw ApiException.conflict("Restore '" + restoreId + "' has no pre-restore snapshot to roll back to");
        }
        if (r.targetDatabaseId() == null) {
            throw ApiException.conflict("Restore '" + restoreId + "' did not go to a configured database");
        }
        Backup snapshot = completed(r.preRestoreSnapshotId());
        RestoreTargets.Target target = targets.database(r.targetDatabaseId());
        return queue(new RestoreRepository.NewRestore(Ids.newId("restore"), RestoreType.SAME_DATABASE, snapshot.id(),
                snapshot.databaseId(), r.databaseType(), target.engineId(), target.databaseId(), target.databaseName(),
                target.key(), false, true, r.keepDefiners(), r.noOwner(), true, null, null, null, null, null, null,
                triggeredBy, clock.millis()), target);
    }

    /** Queues a checksum verification ({@code checksum}) or a test restore ({@code test_restore}) of a backup. */
    public Restore verify(String backupId, String mode, String triggeredBy) {
        String m = mode == null ? "checksum" : mode;
        RestoreType type = switch (m) {
            case "checksum" -> RestoreType.VERIFY;
            case "test_restore" -> RestoreType.TEST_RESTORE;
            default -> throw ApiException.badRequest("mode must be checksum or test_restore (got '" + m + "')");
        };
        Backup backup = completed(backupId);
        DatabaseKind kind = kind(backup);
        return queue(new RestoreRepository.NewRestore(Ids.newId("restore"), type, backup.id(), backup.databaseId(),
                kind.value(), null, null, null, m + ":" + backup.id(), false, false, false, false, false, null, null,
                null, null, null, null, triggeredBy, clock.millis()), null);
    }

    /**
     * Stages an uploaded dump in storage (streamed, encrypted, hashed) and queues its restore. The target comes from
     * the query parameters; the format is recognised when the job reads it (it may arrive gzip- or zstd-compressed).
     */
    public Restore restoreUpload(InputStream body, Request request, String databaseType, String triggeredBy)
            throws IOException {
        DatabaseKind kind = uploadKind(request, databaseType);
        Resolved resolved = resolve(request, kind, null);
        check(resolved, request);
        String id = Ids.newId("restore");
        String key = "uploads/" + id + ".upload";
        byte[] head = new byte[4];
        Artifact<Integer> staged;
        try {
            staged = pipeline.store(storage, key, CompressionSpec.NONE, true, out -> {
                byte[] buffer = new byte[256 * 1024];
                int headLength = 0;
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    if (headLength < head.length) {
                        int take = Math.min(n, head.length - headLength);
                        System.arraycopy(buffer, 0, head, headLength, take);
                        headLength += take;
                    }
                    out.write(buffer, 0, n);
                }
                return headLength;
            }, bytes -> { });
        } catch (IOException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "The upload did not arrive whole: " + e.getMessage());
        }
        if (staged.dump() == 0) {
            removeQuietly(key);
            throw ApiException.badRequest("The request body is empty: send the dump file itself as the body");
        }
        try {
            return queue(new RestoreRepository.NewRestore(id, RestoreType.FILE, null, null, kind.value(),
                    resolved.target().engineId(), resolved.target().databaseId(), resolved.target().databaseName(),
                    resolved.target().key(), request.createSnapshot(), request.strictDelete(), request.keepDefiners(),
                    request.noOwner(), confirmed(resolved, request), key, staged.sha256(), staged.storedBytes(), null,
                    compressionOf(head).value(), staged.encryptionKeyId(), triggeredBy, clock.millis()),
                    resolved.target());
        } catch (RuntimeException e) {
            removeQuietly(key);
            throw e;
        }
    }

    /** Uploads arrive as they were saved: a {@code .gz} or {@code .zst} dump is decompressed while it is restored. */
    static CompressionSpec.Algorithm compressionOf(byte[] head) {
        if ((head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return CompressionSpec.Algorithm.GZIP;
        }
        if ((head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return CompressionSpec.Algorithm.ZSTD;
        }
        return CompressionSpec.Algorithm.NONE;
    }

    private DatabaseKind uploadKind(Request request, String databaseType) {
        if (request.targetDatabaseId() != null) {
            return targets.database(existingDatabase(request.targetDatabaseId())).kind();
        }
        if (request.targetEngineId() != null) {
            return engine(request.targetEngineId()).kind();
        }
        if (databaseType == null) {
            throw ApiException.badRequest("target_database_id is required (or target_engine_id with"
                    + " target_database_name, or database_type=sqlite with target_database_name)");
        }
        DatabaseKind kind = DatabaseKind.parse(databaseType).orElseThrow(() -> ApiException.badRequest(
                "database_type must be one of " + String.join(", ", DatabaseKind.wireNames()) + " (got '"
                        + databaseType + "')"));
        if (kind != DatabaseKind.SQLITE) {
            throw ApiException.badRequest("A " + kind.value() + " target needs target_database_id or target_engine_id");
        }
        return kind;
    }

    private record Resolved(RestoreType type, RestoreTargets.Target target, TargetState state) {
    }

    private Resolved resolve(Request request, DatabaseKind kind, String backupDatabaseId) {
        RestoreTargets.Target target;
        RestoreType type;
        if (request.targetDatabaseId() != null) {
            if (request.targetEngineId() != null) {
                throw ApiException.badRequest("Give target_database_id or target_engine_id, not both");
            }
            target = targets.database(existingDatabase(request.targetDatabaseId()));
            type = request.targetDatabaseId().equals(backupDatabaseId) ? RestoreType.SAME_DATABASE
                    : backupDatabaseId == null ? RestoreType.FILE : RestoreType.OTHER_DATABASE;
        } else if (request.targetEngineId() != null) {
            String name = databaseName(request.targetDatabaseName(), kind);
            engine(request.targetEngineId());
            target = targets.onEngine(request.targetEngineId(), name);
            type = backupDatabaseId == null ? RestoreType.FILE : RestoreType.NEW_DATABASE;
        } else if (request.targetDatabaseName() != null && kind == DatabaseKind.SQLITE) {
            target = targets.sqliteFile(sqlitePath(request.targetDatabaseName()));
            type = backupDatabaseId == null ? RestoreType.FILE : RestoreType.NEW_DATABASE;
        } else if (request.targetDatabaseName() != null) {
            throw ApiException.badRequest("target_database_name needs target_engine_id: the engine whose server gets"
                    + " the new database");
        } else {
            if (backupDatabaseId == null) {
                throw ApiException.badRequest("target_database_id is required");
            }
            target = targets.database(existingDatabase(backupDatabaseId, "The backup's database '" + backupDatabaseId
                    + "' no longer exists: name a target (target_database_id, or target_engine_id with"
                    + " target_database_name)"));
            type = RestoreType.SAME_DATABASE;
        }
        if (target.kind() != kind) {
            throw ApiException.badRequest("The target is a " + target.kind().value() + " database; the backup is of a "
                    + kind.value() + " database");
        }
        TargetState state;
        try {
            state = target.connector().inspect(target.connection(), properties.connectTimeout());
        } catch (ConnectorException e) {
            // The request is sound; the target's server is not there to take it: a conflict with its state.
            throw ApiException.conflict("Cannot check the target " + target.describe() + ": " + e.getMessage());
        }
        return new Resolved(type, target, state);
    }

    private void check(Resolved resolved, Request request) {
        TargetState state = resolved.state();
        RestoreTargets.Target target = resolved.target();
        if (state.exists() && !state.empty() && !request.strictDelete() && !confirmed(resolved, request)) {
            throw ApiException.conflict("The target " + target.describe() + " is not empty (" + state.userObjects()
                    + " objects). To replace what the backup holds, pass \"confirm\": \"" + target.databaseName()
                    + "\"; to make it hold exactly the backup, pass \"strict_delete\": true");
        }
        if (request.createSnapshot() && state.exists() && !state.empty() && target.databaseId() == null) {
            throw ApiException.badRequest("create_snapshot needs the target to be a configured database; add "
                    + target.describe() + " as a database, or pass \"create_snapshot\": false");
        }
        if (!state.otherSessions().isEmpty()) {
            throw ApiException.conflict("The target " + target.describe() + " is in use by "
                    + state.otherSessions().size() + " other session(s): " + String.join("; ", state.otherSessions())
                    + ". Stop them before restoring");
        }
    }

    private static boolean confirmed(Resolved resolved, Request request) {
        return request.confirm() != null && request.confirm().equals(resolved.target().databaseName());
    }

    private Restore queue(RestoreRepository.NewRestore job, RestoreTargets.Target target) {
        try {
            tx.executeWithoutResult(s -> {
                if (job.backupId() != null) {
                    // Retention may have marked the backup since it was checked; from here on it cannot.
                    pruning.holdForReading(job.backupId());
                }
                repository.insertPending(job);
                logs.append(job.id(), RestoreRunner.LOG_TYPE, "info", "Queued (" + job.type().value() + ", by "
                        + job.triggeredBy() + ")", null);
                audit.success(RestoreEvents.requested(repository.find(job.id()).orElseThrow()));
            });
        } catch (DataIntegrityViolationException | UncategorizedSQLException e) {
            // SQLite's driver reports a partial unique index's violation in a way Spring does not always translate.
            if (!repository.hasActive(job.targetKey())) {
                throw e;
            }
            throw ApiException.conflict(target == null
                    ? "A verification of backup '" + job.backupId() + "' is already queued or running"
                    : "A restore into " + target.describe() + " is already queued or running");
        }
        workers.wake();
        return get(job.id());
    }

    private Backup completed(String backupId) {
        Backup backup = backups.get(backupId);
        if (!"completed".equals(backup.status()) || backup.blobName() == null) {
            throw ApiException.conflict("Backup '" + backupId + "' is " + backup.status()
                    + "; only a completed backup can be restored or verified");
        }
        if (backup.pruningAt() != null) {
            throw ApiException.conflict("Backup '" + backupId + "' is being deleted by retention since "
                    + backup.pruningAt() + "; choose another backup");
        }
        return backup;
    }

    private static DatabaseKind kind(Backup backup) {
        return DatabaseKind.parse(backup.databaseType()).orElseThrow(() -> ApiException.badRequest(
                "Backups of " + backup.databaseType() + " databases cannot be restored"));
    }

    private String existingDatabase(String id) {
        return existingDatabase(id, "target_database_id '" + id + "' is not a configured database");
    }

    private String existingDatabase(String id, String message) {
        try {
            targets.database(id);
            return id;
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw ApiException.badRequest(message);
            }
            throw e;
        }
    }

    private RestoreTargets.Target engine(String engineId) {
        // An engine the caller's grants hide is as unknown as one that does not exist.
        if (engines.find(engineId).isEmpty() || !Narrowing.engineVisible(engineId)) {
            throw ApiException.badRequest("target_engine_id '" + engineId + "' is not a configured engine");
        }
        return targets.onEngine(engineId, null);
    }

    private static String databaseName(String name, DatabaseKind kind) {
        if (name == null) {
            throw ApiException.badRequest("target_database_name is required with target_engine_id");
        }
        if (name.length() > MAX_DATABASE_NAME || name.isBlank() || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
                || (kind == DatabaseKind.MYSQL && (name.endsWith(" ") || name.contains("/") || name.contains("\\")
                        || name.contains(".")))) {
            throw ApiException.badRequest("target_database_name must be 1 to " + MAX_DATABASE_NAME
                    + " printable characters" + (kind == DatabaseKind.MYSQL ? ", without '/', '\\' or '.'" : "")
                    + " (got '" + name.replaceAll("\\p{Cntrl}", "?") + "')");
        }
        return name;
    }

    private static String sqlitePath(String path) {
        Path p = Path.of(path);
        if (!p.isAbsolute()) {
            throw ApiException.badRequest("target_database_name must be an absolute path for a SQLite file (got '"
                    + path + "')");
        }
        Path parent = p.toAbsolutePath().normalize().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw ApiException.badRequest("target_database_name: the folder of '" + path + "' does not exist");
        }
        return p.toAbsolutePath().normalize().toString();
    }

    private void removeQuietly(String key) {
        try {
            storage.delete(key);
        } catch (IOException | RuntimeException e) {
            // an unreferenced upload; the next start-up sweep has nothing to do with it, but it is harmless
        }
    }

    // ---- history --------------------------------------------------------------------------------------------

    /**
     * The restore, unless it is not there or the current caller's grants leave it out (404 either way): a restore is
     * the caller's when its target is (a granted database, or a database on an engine granted whole), a test restore
     * or verification when the backup's database is (its scratch target is dropped after).
     */
    public Restore get(String id) {
        return repository.find(id).filter(RestoreService::visible)
                .orElseThrow(() -> ApiException.notFound("Restore '" + id + "' not found"));
    }

    private static boolean visible(Restore r) {
        return checksOnly(r.restoreType()) ? Narrowing.visible(r.sourceDatabaseId(), null)
                : Narrowing.visible(r.targetDatabaseId(), r.targetEngineId());
    }

    private static boolean checksOnly(String restoreType) {
        return RestoreType.TEST_RESTORE.value().equals(restoreType) || RestoreType.VERIFY.value().equals(restoreType);
    }

    /** The filters of {@code GET /api/restores}; null means "not filtered". Dates are UTC days, both inclusive. */
    public record Query(String backupId, String databaseId, String status, String restoreType, String databaseType,
            String startDate, String endDate) {

        Filters filters() {
            List<String> problems = new ArrayList<>();
            if (status != null && Arrays.stream(JobStatus.values()).noneMatch(s -> s.value().equals(status))) {
                problems.add("status must be one of " + JobStatus.allValues() + " (got '" + status + "')");
            }
            if (restoreType != null && RestoreType.parse(restoreType).isEmpty()) {
                problems.add("restore_type must be one of " + String.join(", ", RestoreType.wireNames()) + " (got '"
                        + restoreType + "')");
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
                    .add("backup_id = :backup_id", "backup_id", backupId)
                    .add("(target_database_id = :database_id OR source_database_id = :database_id)", "database_id", databaseId)
                    .add("status = :status", "status", status)
                    .add("restore_type = :restore_type", "restore_type", restoreType)
                    .add("database_type = :database_type", "database_type", databaseType)
                    .add("created_at >= :from", "from", from)
                    .add("created_at < :until", "until", until)
                    .and(narrowed());
        }
    }

    /** The SQL twin of {@link #visible(Restore)}; null when the caller is not narrowed. */
    private static java.util.Map.Entry<String, java.util.Map<String, Object>> narrowed() {
        var target = Narrowing.filter("target_database_id", "target_engine_id");
        var source = Narrowing.databaseFilter("source_database_id");
        if (target == null) {
            return null;
        }
        java.util.Map<String, Object> params = new java.util.LinkedHashMap<>(target.getValue());
        params.putAll(source.getValue());
        return java.util.Map.entry("((restore_type IN ('test_restore', 'verify') AND " + source.getKey()
                + ") OR (restore_type NOT IN ('test_restore', 'verify') AND " + target.getKey() + "))", params);
    }

    public record Page(List<Restore> restores, long total, int page, int pageSize) {
        public boolean hasMore() {
            return (long) page * pageSize < total;
        }
    }

    public Page list(Query query, Integer page, Integer pageSize) {
        PageNumbers n = PageNumbers.of(page, pageSize, MAX_PAGE_SIZE);
        Filters filters = query.filters();
        return new Page(repository.list(filters, n.size(), n.offset()), repository.count(filters), n.page(), n.size());
    }

    public List<ExecutionLogs.Line> logs(String id) {
        get(id);
        return logs.lines(id);
    }

    /** Cancels a queued restore at once, or asks a running one to stop (any node running it sees the request). */
    public Restore cancel(String id) {
        Restore before = get(id);
        JobStatus status = before.state();
        if (status.isFinal()) {
            throw ApiException.conflict("Restore '" + id + "' is already " + status.value() + " and cannot be cancelled");
        }
        boolean done = Boolean.TRUE.equals(tx.execute(s -> {
            long now = clock.millis();
            boolean changed = status == JobStatus.PENDING
                    ? repository.finishPending(id, JobStatus.CANCELLED, "Restore was cancelled before it started", now)
                    : repository.requestCancel(id, now);
            if (changed) {
                audit.success(RestoreEvents.cancelRequested(before));
                if (status == JobStatus.PENDING) {
                    // Cancelled at once, never started: no worker will write its end.
                    audit.success(RestoreEvents.ended(repository.find(id).orElseThrow()));
                }
                logs.append(id, RestoreRunner.LOG_TYPE, "warning", "Cancel requested", null);
            }
            return changed;
        }));
        if (!done) {
            Restore now = get(id);
            if (now.state().isFinal()) {
                throw ApiException.conflict("Restore '" + id + "' is already " + now.status() + " and cannot be cancelled");
            }
            return cancel(id);
        }
        if (status == JobStatus.PENDING) {
            // No job will run to remove its staged upload.
            repository.job(id).map(RestoreRepository.Job::upload).ifPresent(upload -> removeQuietly(upload.key()));
        }
        workers.cancelLocally(id);
        return get(id);
    }

    // ---- status ----------------------------------------------------------------------------------------------

    /** Per database: its newest backup proven restorable by a test restore, for system status. */
    public List<LastRestorable> lastRestorable() {
        return repository.lastRestorable().stream().filter(l -> Narrowing.visible(l.databaseId(), null)).toList();
    }

    public List<Restore> recentFailedVerifications(int limit) {
        return repository.recentFailedTestRestores(limit).stream().filter(RestoreService::visible).toList();
    }

    Optional<Restore> find(String id) {
        return repository.find(id);
    }
}
