package dev.custos.restores;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.api.ApiException;
import dev.custos.audit.AuditLog;
import dev.custos.backups.Backup;
import dev.custos.backups.BackupService;
import dev.custos.backups.ExecutionLogs;
import dev.custos.catalog.Ids;
import dev.custos.catalog.JsonColumns;
import dev.custos.connectors.Cancellation;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import dev.custos.connectors.TargetState;
import dev.custos.jobs.JobHandler;
import dev.custos.jobs.JobStatus;
import dev.custos.jobs.RunningJob;
import dev.custos.pipeline.ArtifactPipeline;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.pipeline.IntegrityException;
import dev.custos.pipeline.Manifest;
import dev.custos.pipeline.Verification;
import dev.custos.storage.StorageBackend;

/**
 * Runs one claimed restore job to its end: a restore into a database, a test restore into a scratch database, or a
 * checksum verification. The order of a restore is the safety argument: check the target (exists, empty or
 * confirmed, nobody else connected) → take the pre-restore snapshot → for engines that cannot restore in one
 * transaction, verify the stored object whole first → stream the object, verified as it is read, into the tool,
 * which commits only after the stream ended verified. Any failure before the tool started leaves the target as it
 * was, and says so ({@code target_touched: false}).
 */
@Component
class RestoreRunner implements JobHandler {

    private static final Logger log = LoggerFactory.getLogger(RestoreRunner.class);
    static final String LOG_TYPE = "restore";

    private final RestoreRepository repository;
    private final RestoreTargets targets;
    private final BackupService backups;
    private final ExecutionLogs logs;
    private final ArtifactPipeline pipeline;
    private final StorageBackend storage;
    private final AuditLog audit;
    private final JsonColumns json;
    private final RestoreProperties properties;
    private final Clock clock;
    private final TransactionTemplate tx;

    RestoreRunner(RestoreRepository repository, RestoreTargets targets, BackupService backups, ExecutionLogs logs,
            ArtifactPipeline pipeline, StorageBackend storage, AuditLog audit, JsonColumns json,
            RestoreProperties properties, Clock clock, PlatformTransactionManager transactions) {
        this.repository = repository;
        this.targets = targets;
        this.backups = backups;
        this.logs = logs;
        this.pipeline = pipeline;
        this.storage = storage;
        this.audit = audit;
        this.json = json;
        this.properties = properties;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    /** How a job ended well: what to record on it. */
    private record Outcome(long bytesRead, boolean targetTouched, List<String> warnings, Map<String, Object> details) {
    }

    /** A failure that knows whether the target was written to. */
    private static final class Failed extends RuntimeException {
        final boolean targetTouched;
        final Map<String, Object> details;

        Failed(String message, boolean targetTouched, Map<String, Object> details, Throwable cause) {
            super(message, cause);
            this.targetTouched = targetTouched;
            this.details = details;
        }
    }

    @Override
    public void run(String id, String node, RunningJob job) {
        RestoreRepository.Job claimed = repository.job(id).orElseThrow();
        Restore restore = claimed.restore();
        audit.success(RestoreEvents.started(restore, node));
        log(id, "info", "Started on " + node, null);
        Touch touch = new Touch();
        try {
            RestoreType type = RestoreType.parse(restore.restoreType()).orElseThrow();
            Outcome outcome = switch (type) {
                case VERIFY -> verify(restore);
                case TEST_RESTORE -> testRestore(restore, job);
                default -> restore(claimed, node, job, touch);
            };
            if (job.stopReason() != null) {
                throw new Cancellation.CancelledException();
            }
            finish(restore.id(), node, JobStatus.COMPLETED, outcome.bytesRead(), outcome.targetTouched(), null,
                    outcome.warnings(), outcome.details());
            log(id, "info", "Completed", outcome.bytesRead());
        } catch (RuntimeException | Error e) {
            end(restore, node, job, touch, e);
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            if (claimed.upload() != null) {
                removeUpload(id, claimed.upload().key());
            }
        }
    }

    /** Whether the restore got as far as writing into its target. */
    private static final class Touch {
        volatile boolean touched;
    }

    // ---- restore into a database -----------------------------------------------------------------------------

    private Outcome restore(RestoreRepository.Job claimed, String node, RunningJob job, Touch touch) {
        Restore r = claimed.restore();
        RestoreTargets.Target target = target(r);
        log(r.id(), "info", "Target: " + target.describe(), null);
        TargetState state = inspect(target);
        if (state.exists() && !state.empty() && !r.strictDelete() && !claimed.confirmed()) {
            throw new Failed("The target " + target.describe() + " is not empty (" + state.userObjects()
                    + " objects) and the restore was not confirmed: pass confirm with the target database's name, or"
                    + " strict_delete", false, null, null);
        }
        if (!state.otherSessions().isEmpty()) {
            throw new Failed("The target " + target.describe() + " is in use by " + state.otherSessions().size()
                    + " other session(s): " + String.join("; ", state.otherSessions())
                    + ". Stop them, then restore again; nothing was changed", false, null, null);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        if (r.createSnapshot() && state.exists() && !state.empty()) {
            details.put("pre_restore_snapshot_id", snapshot(r, node, target, job));
        }
        Source source = source(claimed, target.kind());
        if (target.kind() == DatabaseKind.MYSQL && source.manifest() != null) {
            verifyFirst(r.id(), source.manifest());
        }
        boolean created = false;
        if (!state.exists()) {
            target.connector().createDatabase(target.connection(), properties.connectTimeout());
            created = true;
            log(r.id(), "info", "Created the empty " + target.describe(), null);
        }
        touch.touched = true;
        try {
            Loaded loaded = load(r, target, source, job, r.strictDelete());
            details.put("server_version", loaded.result().serverVersion());
            details.put("tool", loaded.result().tool());
            details.put("tool_version", loaded.result().toolVersion());
            details.put("created_database", created);
            details.put("format", loaded.format().name().toLowerCase());
            return new Outcome(job.rawBytes(), true, loaded.result().warnings(), details);
        } catch (RuntimeException e) {
            boolean touched = !(e instanceof RestoreException re) || re.targetTouched();
            if (created) {
                dropQuietly(r.id(), target);
                touched = false;
            }
            touch.touched = touched;
            throw e;
        }
    }

    private RestoreTargets.Target target(Restore r) {
        if (r.targetDatabaseId() != null) {
            return targets.database(r.targetDatabaseId());
        }
        if (r.targetEngineId() != null) {
            return targets.onEngine(r.targetEngineId(), r.targetDatabaseName());
        }
        return targets.sqliteFile(r.targetDatabaseName());
    }

    private TargetState inspect(RestoreTargets.Target target) {
        try {
            return target.connector().inspect(target.connection(), properties.connectTimeout());
        } catch (ConnectorException e) {
            throw new Failed("Cannot check the target " + target.describe() + ": " + e.getMessage(), false, null, e);
        }
    }

    private String snapshot(Restore r, String node, RestoreTargets.Target target, RunningJob job) {
        if (target.databaseId() == null) {
            throw new Failed("A pre-restore snapshot needs the target to be a configured database; add "
                    + target.describe() + " as a database, or pass create_snapshot: false", false, null, null);
        }
        BackupService.Queued queued;
        try {
            queued = backups.trigger(target.databaseId(), "pre_restore", List.of());
        } catch (ApiException e) {
            throw new Failed("The pre-restore snapshot could not start: " + e.getMessage() + "; nothing was restored",
                    false, null, e);
        }
        repository.setSnapshot(r.id(), node, queued.backupId());
        log(r.id(), "info", "Taking the pre-restore snapshot " + queued.backupId(), null);
        Backup snapshot = backups.awaitEnd(queued.backupId(), job.cancellation());
        if (job.stopReason() != null) {
            throw new Cancellation.CancelledException();
        }
        if (!"completed".equals(snapshot.status())) {
            throw new Failed("The pre-restore snapshot " + snapshot.id() + " " + snapshot.status() + ": "
                    + snapshot.errorMessage() + "; nothing was restored", false, null, null);
        }
        log(r.id(), "info", "Pre-restore snapshot " + snapshot.id() + " completed (" + snapshot.blobName()
                + "); restore it to roll back", null);
        return snapshot.id();
    }

    /** What a restore reads: the stored object and how to decode it; {@code format} null until sniffed. */
    private record Source(String key, long storedBytes, String sha256, CompressionSpec.Algorithm compression,
            String keyId, DumpFormat format, String serverVersion, Manifest manifest) {
    }

    private Source source(RestoreRepository.Job claimed, DatabaseKind kind) {
        RestoreRepository.Upload upload = claimed.upload();
        if (upload != null) {
            Manifest m = new Manifest(Manifest.FORMAT_VERSION, upload.key(), null, null, null, null, kind.value(), null,
                    null, null, upload.format(), upload.compression(), 0, upload.keyId(), -1, upload.bytes(),
                    upload.sha256(), null, null, List.of());
            return new Source(upload.key(), upload.bytes(), upload.sha256(),
                    CompressionSpec.Algorithm.fromValue(upload.compression()), upload.keyId(),
                    upload.format() == null ? null : DumpFormat.valueOf(upload.format()), null, m);
        }
        Backup b = backup(claimed.restore().backupId());
        DatabaseKind backupKind = DatabaseKind.parse(b.databaseType()).orElseThrow();
        if (backupKind != kind) {
            throw new Failed("Backup " + b.id() + " is of a " + backupKind.value() + " database; the target is "
                    + kind.value(), false, null, null);
        }
        return new Source(b.blobName(), b.fileSizeBytes(), b.checksumSha256(),
                CompressionSpec.Algorithm.fromValue(b.compression()), b.encryptionKeyId(), DumpFormat.ofBackup(kind),
                b.serverVersion(), manifest(b));
    }

    private Backup backup(String backupId) {
        Backup b = backups.get(backupId);
        if (!"completed".equals(b.status()) || b.blobName() == null) {
            throw new Failed("Backup " + backupId + " is " + b.status() + ", not a completed backup with a file",
                    false, null, null);
        }
        return b;
    }

    static Manifest manifest(Backup b) {
        return new Manifest(Manifest.FORMAT_VERSION, b.blobName(), b.id(), b.databaseId(), null, b.databaseAlias(),
                b.databaseType(), b.serverVersion(), b.dumpTool(), b.dumpToolVersion(), b.fileFormat(),
                b.compression(), b.compressionLevel() == null ? 0 : b.compressionLevel(), b.encryptionKeyId(),
                b.rawSizeBytes() == null ? -1 : b.rawSizeBytes(), b.fileSizeBytes(), b.checksumSha256(), b.startedAt(),
                b.completedAt(), b.warnings());
    }

    /** MySQL cannot restore in one transaction: the object is read whole and checked before the target is touched. */
    private void verifyFirst(String id, Manifest manifest) {
        log(id, "info", "Verifying the stored object before touching the target (MySQL restores are not transactional)", null);
        Verification v;
        try {
            v = pipeline.verify(storage, manifest);
        } catch (IOException e) {
            throw new Failed("Storage failed while verifying " + manifest.objectKey() + ": " + e.getMessage()
                    + "; nothing was restored", false, null, e);
        }
        if (!v.ok()) {
            throw new Failed("The backup's object failed verification: " + v.message() + "; nothing was restored",
                    false, Map.of("verification", v.message()), null);
        }
        log(id, "info", "Object verified: " + v.storedBytes() + " bytes, sha256 " + v.sha256(), null);
    }

    /** What the tool reported, and the format it was given (sniffed, for an upload). */
    private record Loaded(RestoreResult result, DumpFormat format) {
    }

    private Loaded load(Restore r, RestoreTargets.Target target, Source source, RunningJob job,
            boolean strictDelete) {
        DumpLog dumpLog = (level, message) -> log(r.id(), level, target.connection().redact(message), job.rawBytes());
        try (InputStream opened = pipeline.open(storage, source.key(), source.storedBytes(), source.sha256(),
                source.compression(), source.keyId())) {
            Counting counted = new Counting(opened, job);
            BufferedInputStream in = new BufferedInputStream(counted, 64 * 1024);
            // An upload's format is known once it is decoded: it may have arrived compressed.
            DumpFormat format = source.format() != null ? source.format() : sniff(in, target.kind());
            RestoreOptions options = new RestoreOptions(format, source.serverVersion(), true, strictDelete,
                    r.keepDefiners(), r.noOwner());
            log(r.id(), "info", "Restoring " + source.key() + " (" + format.name().toLowerCase() + ") into "
                    + target.describe(), 0L);
            RestoreResult result = target.connector().restore(target.connection(), in, options, dumpLog,
                    job.cancellation());
            // The tool committed; the stream must still end verified. A tool that stopped before the end would
            // otherwise leave the last check undone.
            if (in.read() >= 0) {
                drain(in);
            }
            return new Loaded(result, format);
        } catch (IntegrityException e) {
            throw new RestoreException("The backup's object failed verification while restoring: " + e.getMessage(),
                    true, e);
        } catch (IOException e) {
            throw new RestoreException("Reading the backup failed: " + e.getMessage(), true, e);
        }
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (in.read(buffer) >= 0) {
            // read to the end, where the pipeline checks size and SHA-256
        }
    }

    private static DumpFormat sniff(BufferedInputStream in, DatabaseKind kind) throws IOException {
        in.mark(DumpFormat.SNIFF_BYTES);
        byte[] head = in.readNBytes(DumpFormat.SNIFF_BYTES);
        in.reset();
        return DumpFormat.sniff(kind, head, head.length).orElseThrow(() -> new Failed(
                "The uploaded file is not a dump a " + kind.value() + " database can restore (it starts with "
                        + printable(head) + ")", false, null, null));
    }

    private static String printable(byte[] head) {
        StringBuilder s = new StringBuilder();
        for (byte b : head) {
            int c = b & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return "'" + s + "'";
    }

    /** Counts what the restore read, for progress. */
    private static final class Counting extends FilterInputStream {
        private final RunningJob job;
        private long count;

        Counting(InputStream in, RunningJob job) {
            super(in);
            this.job = job;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                job.progress(++count);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
                job.progress(count);
            }
            return n;
        }
    }

    // ---- verification and test restores --------------------------------------------------------------------

    private Outcome verify(Restore r) {
        Backup b = backup(r.backupId());
        Verification v;
        try {
            v = pipeline.verify(storage, manifest(b));
        } catch (IOException e) {
            throw new Failed("Storage failed while verifying: " + e.getMessage(), false, null, e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("restore_id", r.id());
        details.put("stored_bytes", v.storedBytes());
        details.put("sha256", v.sha256());
        details.put("raw_bytes", v.rawBytes());
        details.put("decryptable", v.decryptable());
        details.put("message", v.message());
        if (!v.ok()) {
            details.put("error", v.message());
        }
        backups.recordVerification(b.id(), v.ok(), "checksum", details);
        if (!v.ok()) {
            throw new Failed("Backup " + b.id() + " failed verification: " + v.message(), false, details, null);
        }
        log(r.id(), "info", "Verified: " + v.storedBytes() + " bytes, sha256 " + v.sha256() + ", decrypted and"
                + " decompressed to " + v.rawBytes() + " bytes", v.rawBytes());
        return new Outcome(v.storedBytes(), false, List.of(), details);
    }

    private Outcome testRestore(Restore r, RunningJob job) {
        Backup b = backup(r.backupId());
        DatabaseKind kind = DatabaseKind.parse(b.databaseType()).orElseThrow();
        Optional<Fingerprint> expected = backups.fingerprint(b.id()).map(j -> json.read(j, Fingerprint.class));
        String scratchName = "custos_verify_" + Ids.newId("x").substring(2, 14).replace('-', '_').toLowerCase();
        RestoreTargets.Target scratch = targets.scratch(kind, scratchName, properties.testRestoreEngineId(),
                b.engineId(), b.databaseId());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("restore_id", r.id());
        details.put("scratch", scratch.describe());
        long started = clock.millis();
        try {
            if (kind == DatabaseKind.SQLITE) {
                Files.createDirectories(targets.scratchDir());
            }
            scratch.connector().createDatabase(scratch.connection(), properties.connectTimeout());
            log(r.id(), "info", "Created scratch " + scratch.describe(), null);
            RestoreResult result = load(r, scratch, new Source(b.blobName(), b.fileSizeBytes(), b.checksumSha256(),
                    CompressionSpec.Algorithm.fromValue(b.compression()), b.encryptionKeyId(), DumpFormat.ofBackup(kind),
                    b.serverVersion(), manifest(b)), job, false).result();
            details.put("restore_seconds", (clock.millis() - started) / 1000.0);
            log(r.id(), "info", "Restored; taking the fingerprint of the scratch database", job.rawBytes());
            Fingerprint actual = scratch.connector().fingerprint(scratch.connection(), job.cancellation());
            details.put("tables", actual.tables().size());
            details.put("rows", actual.tables().values().stream().mapToLong(Fingerprint.Table::rows).sum());
            details.put("objects", actual.objects().size());
            details.put("duration_seconds", (clock.millis() - started) / 1000.0);
            if (expected.isEmpty()) {
                details.put("compared", false);
                details.put("message", "The backup restores; it has no fingerprint of its source to compare with");
                backups.recordVerification(b.id(), true, "test_restore", details);
                return new Outcome(job.rawBytes(), false, result.warnings(), details);
            }
            List<String> differences = expected.get().differences(actual);
            details.put("compared", true);
            details.put("differences", differences);
            boolean passed = differences.isEmpty();
            if (!passed) {
                details.put("error", "The restored database differs from the source: " + String.join("; ", differences));
            }
            backups.recordVerification(b.id(), passed, "test_restore", details);
            if (!passed) {
                throw new Failed("Test restore of " + b.id() + " differs from its source: "
                        + String.join("; ", differences), false, details, null);
            }
            log(r.id(), "info", "The restored database matches the source's fingerprint (" + actual.tables().size()
                    + " tables, " + details.get("rows") + " rows, " + actual.objects().size() + " other objects)", job.rawBytes());
            return new Outcome(job.rawBytes(), false, result.warnings(), details);
        } catch (Failed e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (e instanceof Cancellation.CancelledException cancelled) {
                throw cancelled;
            }
            String message = e.getMessage();
            details.put("error", message);
            backups.recordVerification(b.id(), false, "test_restore", details);
            throw new Failed("Test restore of " + b.id() + " failed: " + message, false, details, e);
        } finally {
            dropQuietly(r.id(), scratch);
        }
    }

    private void dropQuietly(String id, RestoreTargets.Target target) {
        try {
            target.connector().dropDatabase(target.connection(), properties.connectTimeout());
            log(id, "info", "Dropped " + target.describe(), null);
        } catch (RuntimeException e) {
            log.warn("Could not drop {} after restore {}: {}", target.describe(), id, e.toString());
            log(id, "error", "Could not drop " + target.describe() + ": " + e.getMessage(), null);
        }
    }

    // ---- endings -------------------------------------------------------------------------------------------

    private void end(Restore r, String node, RunningJob job, Touch touch, Throwable failure) {
        RunningJob.Stop stop = job.stopReason();
        JobStatus status = stop == RunningJob.Stop.CANCELLED ? JobStatus.CANCELLED : JobStatus.FAILED;
        boolean touched = failure instanceof Failed f ? f.targetTouched
                : failure instanceof RestoreException re ? re.targetTouched() : touch.touched;
        String message = message(stop, failure, touched);
        Map<String, Object> details = failure instanceof Failed f && f.details != null ? f.details : Map.of();
        if (!(failure instanceof Failed || failure instanceof RestoreException || failure instanceof ApiException
                || failure instanceof ConnectorException || failure instanceof Cancellation.CancelledException)) {
            log.warn("Restore {} failed unexpectedly", r.id(), failure);
        }
        log(r.id(), status == JobStatus.CANCELLED ? "warning" : "error", message, job.rawBytes());
        if (stop == RunningJob.Stop.LEASE_LOST) {
            return;
        }
        finish(r.id(), node, status, job.rawBytes(), touched, message, List.of(), details);
    }

    private static String message(RunningJob.Stop stop, Throwable failure, boolean touched) {
        String state = touched ? "" : " The target was not changed.";
        if (stop != null) {
            return switch (stop) {
                case CANCELLED -> "Restore was cancelled and the tool stopped." + state;
                case TIMEOUT -> "Restore timed out and was stopped." + state;
                case SHUTDOWN -> "Custos was shut down while the restore ran." + state;
                case LEASE_LOST -> "Restore was given up as abandoned";
            };
        }
        String text = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        if (failure instanceof Failed || failure instanceof ApiException) {
            return text;
        }
        if (touched || text.contains("not changed") || text.contains("untouched") || text.contains("not touched")) {
            return text;
        }
        return text + (text.endsWith(".") ? "" : ".") + state;
    }

    private void finish(String id, String node, JobStatus status, long bytes, boolean touched, String error,
            List<String> warnings, Map<String, Object> details) {
        tx.executeWithoutResult(s -> {
            if (repository.finish(id, node, status, clock.millis(), bytes, touched, error, warnings, details)) {
                Restore ended = repository.find(id).orElseThrow();
                if (status == JobStatus.FAILED) {
                    audit.failure(RestoreEvents.ended(ended), error);
                } else {
                    audit.success(RestoreEvents.ended(ended));
                }
            }
        });
    }

    @Override
    public void failOrphans(long now, boolean all, String node) {
        for (RestoreRepository.Orphan orphan : repository.orphans(now, all, node)) {
            failOrphan(orphan, all);
        }
    }

    void failOrphan(RestoreRepository.Orphan orphan, boolean atStartup) {
        String message = atStartup
                ? "Custos stopped while the restore was running (process killed or crashed); the target may be partly restored"
                : "The process running this restore stopped renewing its lease; the target may be partly restored";
        tx.executeWithoutResult(s -> {
            if (repository.failOrphan(orphan, message, clock.millis())) {
                audit.failure(RestoreEvents.ended(repository.find(orphan.id()).orElseThrow()), message);
            }
        });
        if (orphan.uploadKey() != null) {
            removeUpload(orphan.id(), orphan.uploadKey());
        }
        log(orphan.id(), "error", message, null);
    }

    @Override
    public void progress(RunningJob job) {
        log(job.id(), "info", "Read " + job.rawBytes() + " bytes so far", job.rawBytes());
    }

    private void removeUpload(String id, String key) {
        try {
            storage.delete(key);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not remove the upload {} of restore {}: {}", key, id, e.toString());
        }
    }

    private void log(String id, String level, String message, Long bytes) {
        logs.append(id, LOG_TYPE, level, message, bytes);
    }
}
