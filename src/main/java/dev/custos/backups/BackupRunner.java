package dev.custos.backups;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.api.ApiException;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.JsonColumns;
import dev.custos.connectors.Cancellation;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.Connectors;
import dev.custos.connectors.DatabaseConnector;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.databases.DatabaseService;
import dev.custos.jobs.JobHandler;
import dev.custos.jobs.JobStatus;
import dev.custos.jobs.RunningJob;
import dev.custos.pipeline.Artifact;
import dev.custos.pipeline.ArtifactPipeline;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.pipeline.KeyRing;
import dev.custos.pipeline.Manifest;
import dev.custos.pipeline.ManifestCodec;
import dev.custos.storage.StorageBackend;
import dev.custos.storage.StoredObject;

/**
 * Runs one claimed backup job: dump → pipeline → object and manifest in storage → {@code completed}, or
 * {@code failed}/{@code cancelled} with the reason and nothing left in storage. The completion rule: the tool exited
 * 0, the object was written completely (the backend's write is all-or-nothing), its stored size matches what the
 * pipeline counted, its SHA-256 is recorded and its manifest stored beside it.
 */
@Component
class BackupRunner implements JobHandler {

    private static final Logger log = LoggerFactory.getLogger(BackupRunner.class);
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private final BackupRepository repository;
    private final ExecutionLogs logs;
    private final DatabaseService databases;
    private final Connectors connectors;
    private final ArtifactPipeline pipeline;
    private final ManifestCodec manifests;
    private final StorageBackend storage;
    private final AuditLog audit;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final KeyRing keys;
    private final JsonColumns json;
    private final boolean fingerprint;
    private final ApplicationEventPublisher events;

    BackupRunner(BackupRepository repository, ExecutionLogs logs, DatabaseService databases, Connectors connectors,
            ArtifactPipeline pipeline, ManifestCodec manifests, StorageBackend storage, AuditLog audit, Clock clock,
            PlatformTransactionManager transactions, KeyRing keys, JsonColumns json, BackupProperties properties,
            ApplicationEventPublisher events) {
        this.events = events;
        this.keys = keys;
        this.json = json;
        this.fingerprint = properties.fingerprint();
        this.repository = repository;
        this.logs = logs;
        this.databases = databases;
        this.connectors = connectors;
        this.pipeline = pipeline;
        this.manifests = manifests;
        this.storage = storage;
        this.audit = audit;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    /** The extension of a kind's uncompressed dump, which starts the object's {@code file_format}. */
    static String dumpFormat(DatabaseKind kind) {
        return switch (kind) {
            case POSTGRESQL -> "dump";
            case MYSQL -> "sql";
            case SQLITE -> "sqlite";
            default -> "bak";
        };
    }

    static String fileFormat(DatabaseKind kind, CompressionSpec compression, boolean encrypted) {
        String format = dumpFormat(kind);
        if (!compression.algorithm().extension().isEmpty()) {
            format += "." + compression.algorithm().extension();
        }
        return encrypted ? format + ".enc" : format;
    }

    @Override
    public void run(String id, String node, RunningJob job) {
        Backup backup = repository.find(id).orElseThrow();
        audit.success(BackupEvents.started(backup, node));
        logs.append(id, "info", "Started on " + node, null);
        String blobName = null;
        try {
            DatabaseService.BackupSource source = databases.backupSource(backup.databaseId());
            ConnectionTarget target = databases.target(backup.databaseId());
            DatabaseConnector connector = connectors.forKind(source.kind()).orElseThrow(() -> new DumpException(
                    "Backups of " + source.kind().value() + " databases are not supported"));
            CompressionSpec compression = backup.compression() == null ? CompressionSpec.NONE
                    : new CompressionSpec(CompressionSpec.Algorithm.fromValue(backup.compression()),
                            backup.compressionLevel() == null ? 0 : backup.compressionLevel());
            String fileFormat = fileFormat(source.kind(), compression, backup.encrypted());
            blobName = uniqueBlobName(backup, fileFormat);
            if (!repository.setBlobName(id, node, blobName, fileFormat)) {
                job.stop(RunningJob.Stop.LEASE_LOST);
                throw new Cancellation.CancelledException();
            }
            logs.append(id, "info", "Writing " + blobName + " (" + describe(compression, backup.encrypted()) + ")", 0L);
            DumpLog dumpLog = (level, message) -> logs.append(id, level, target.redact(message), job.rawBytes());
            Artifact<DumpResult> artifact = pipeline.store(storage, blobName, compression, backup.encrypted(),
                    out -> connector.dump(target, out, dumpLog, job.cancellation(), fingerprint), job::progress);
            if (job.stopReason() != null) {
                throw new Cancellation.CancelledException();
            }
            checkStored(blobName, artifact);
            logs.append(id, "info", "Stored " + artifact.storedBytes() + " bytes (" + artifact.rawBytes()
                    + " bytes before compression), sha256 " + artifact.sha256(), artifact.rawBytes());
            DumpResult dump = artifact.dump();
            String fingerprintJson = dump.fingerprint() == null ? null : json.write(dump.fingerprint());
            if (fingerprintJson != null) {
                logs.append(id, "info", "Fingerprint of the source taken: " + dump.fingerprint().tables().size()
                        + " tables, " + dump.fingerprint().objects().size() + " other objects", artifact.rawBytes());
            }
            Instant completedAt = clock.instant();
            String sealedKeyset = artifact.encryptionKeyId() == null ? null
                    : keys.sealedKeyset(artifact.encryptionKeyId()).orElse(null);
            manifests.write(storage, new Manifest(Manifest.FORMAT_VERSION, blobName, id, backup.databaseId(),
                    target.databaseName(), backup.databaseAlias(), backup.databaseType(), dump.serverVersion(),
                    dump.tool(), dump.toolVersion(), fileFormat, compression.algorithm().value(), compression.level(),
                    artifact.encryptionKeyId(), artifact.rawBytes(), artifact.storedBytes(), artifact.sha256(),
                    backup.startedAt(), completedAt, dump.warnings(), sealedKeyset,
                    fingerprintJson == null ? null : manifests.tree(fingerprintJson)));
            logs.append(id, "info", "Manifest stored at " + Manifest.keyFor(blobName), artifact.rawBytes());
            complete(backup, node, blobName, artifact, completedAt, fingerprintJson);
        } catch (RuntimeException | IOException | Error e) {
            end(backup, node, job, blobName, e);
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /** The write was all-or-nothing; this checks that what landed is what the pipeline counted. */
    private void checkStored(String blobName, Artifact<DumpResult> artifact) throws IOException {
        Optional<StoredObject> stored = storage.stat(blobName);
        if (stored.isEmpty() || stored.get().size() != artifact.storedBytes()) {
            throw new IOException("Stored object " + blobName + " has " + stored.map(o -> o.size() + " bytes").orElse("vanished")
                    + ", but " + artifact.storedBytes() + " bytes were written");
        }
    }

    private void complete(Backup backup, String node, String blobName, Artifact<DumpResult> artifact, Instant at,
            String fingerprintJson) {
        DumpResult dump = artifact.dump();
        boolean done = Boolean.TRUE.equals(tx.execute(status -> {
            boolean updated = repository.complete(backup.id(), node, new BackupRepository.Completion(at.toEpochMilli(),
                    artifact.storedBytes(), artifact.rawBytes(), artifact.sha256(), artifact.encryptionKeyId(),
                    dump.serverVersion(), dump.tool(), dump.toolVersion(), dump.warnings(), fingerprintJson));
            if (updated) {
                audit.success(BackupEvents.completed(repository.find(backup.id()).orElseThrow()));
            }
            return updated;
        }));
        if (done) {
            logs.append(backup.id(), "info", "Completed", artifact.rawBytes());
            announce(backup);
        } else {
            // The lease ran out (this process stalled) and a sweep failed the job: its object must not outlive it.
            removeObject(backup.id(), blobName);
            logs.append(backup.id(), "error", "Finished after the job was given up as abandoned; the object was removed",
                    artifact.rawBytes());
        }
    }

    /** Tells listeners (retention) the backup completed; nothing they do may undo it. */
    private void announce(Backup backup) {
        try {
            events.publishEvent(new BackupCompleted(backup.id(), backup.databaseId()));
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(BackupRunner.class).warn("A listener of backup {}'s completion failed: {}",
                    backup.id(), e.toString());
        }
    }

    private void end(Backup backup, String node, RunningJob job, String blobName, Throwable failure) {
        RunningJob.Stop stop = job.stopReason();
        JobStatus status = stop == RunningJob.Stop.CANCELLED ? JobStatus.CANCELLED : JobStatus.FAILED;
        String message = message(stop, failure);
        if (stop == null) {
            log.info("Backup {} of {} failed: {}", backup.id(), backup.databaseId(), message);
            if (!(failure instanceof DumpException || failure instanceof IOException || failure instanceof ApiException)) {
                log.warn("Backup {} failed unexpectedly", backup.id(), failure);
            }
        }
        removeObject(backup.id(), blobName);
        logs.append(backup.id(), status == JobStatus.CANCELLED ? "warning" : "error", message, job.rawBytes());
        if (stop == RunningJob.Stop.LEASE_LOST) {
            return;
        }
        tx.executeWithoutResult(s -> {
            if (repository.finish(backup.id(), node, status, message, clock.millis())) {
                Backup ended = repository.find(backup.id()).orElseThrow();
                if (status == JobStatus.CANCELLED) {
                    audit.success(BackupEvents.ended(ended));
                } else {
                    audit.failure(BackupEvents.ended(ended), message);
                }
            }
        });
    }

    private String message(RunningJob.Stop stop, Throwable failure) {
        if (stop != null) {
            return switch (stop) {
                case CANCELLED -> "Backup was cancelled; the dump was stopped and nothing was stored";
                case TIMEOUT -> "Backup timed out and was stopped; nothing was stored";
                case SHUTDOWN -> "Custos was shut down while the backup ran; nothing was stored";
                case LEASE_LOST -> "Backup was given up as abandoned";
            };
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DumpException dump) {
                return dump.getMessage();
            }
            if (t instanceof ApiException api) {
                return "Backup could not start: " + api.getMessage();
            }
        }
        if (failure instanceof IOException io) {
            return "Storage failed: " + io.getMessage();
        }
        return "Backup failed: " + failure;
    }

    @Override
    public void failOrphans(long now, boolean all, String node) {
        for (BackupRepository.Orphan orphan : repository.orphans(now, all, node)) {
            failOrphan(orphan, all);
        }
    }

    /** Fails a job whose process died, and removes whatever it may have stored. */
    void failOrphan(BackupRepository.Orphan orphan, boolean atStartup) {
        String message = atStartup
                ? "Custos stopped while the backup was running (process killed or crashed); nothing was kept"
                : "The process running this backup stopped renewing its lease (killed, crashed or cut off); nothing was kept";
        // While the orphan still holds its database's one active slot, no other backup can be writing beside it.
        abortIncomplete(orphan.id(), orphan.blobName());
        boolean failed = Boolean.TRUE.equals(tx.execute(status -> {
            if (!repository.failOrphan(orphan, message, clock.millis())) {
                return false;
            }
            Backup ended = repository.find(orphan.id()).orElseThrow();
            audit.failure(BackupEvents.ended(ended), message);
            return true;
        }));
        if (failed) {
            removeObject(orphan.id(), orphan.blobName());
            logs.append(orphan.id(), "error", message, null);
            log.warn("Backup {} of {} was abandoned by {} and is now failed", orphan.id(), orphan.databaseId(),
                    orphan.leaseOwner());
        }
    }

    @Override
    public void progress(RunningJob job) {
        logs.append(job.id(), "info", "Dumped " + job.rawBytes() + " bytes so far", job.rawBytes());
    }

    private void removeObject(String id, String blobName) {
        if (blobName == null) {
            return;
        }
        for (String key : List.of(Manifest.keyFor(blobName), blobName)) {
            try {
                storage.delete(key);
            } catch (IOException | RuntimeException e) {
                log.warn("Could not remove {} of failed backup {}: {}", key, id, e.toString());
                logs.append(id, "error", "Could not remove " + key + ": " + e.getMessage(), null);
            }
        }
    }

    /** Removes the temporary file a dead process was writing. */
    private void abortIncomplete(String id, String blobName) {
        if (blobName == null) {
            return;
        }
        try {
            int removed = storage.abortIncomplete(blobName);
            if (removed > 0) {
                logs.append(id, "info", "Removed " + removed + " unfinished file(s) the stopped process had left", null);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Could not remove unfinished files of backup {}: {}", id, e.toString());
        }
    }

    private String uniqueBlobName(Backup backup, String fileFormat) throws IOException {
        String base = backup.databaseType() + "/" + backup.databaseId() + "/" + NAME_TIME.format(backup.startedAt());
        String name = base + "." + fileFormat;
        for (int n = 1; repository.blobNameTaken(name) || storage.stat(name).isPresent(); n++) {
            name = base + "_" + n + "." + fileFormat;
        }
        return name;
    }

    private static String describe(CompressionSpec compression, boolean encrypted) {
        String c = compression.algorithm() == CompressionSpec.Algorithm.NONE ? "no compression"
                : compression.algorithm().value() + " level " + compression.level();
        return c + (encrypted ? ", encrypted" : ", not encrypted");
    }
}
