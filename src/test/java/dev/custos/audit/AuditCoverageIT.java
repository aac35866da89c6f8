package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.backups.BackupFlows;
import dev.custos.catalog.CustosProperties;
import dev.custos.engines.RealServers;
import dev.custos.storage.FaultyStorage;
import dev.custos.storage.LocalStorageBackend;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.Sql;

/**
 * Complete capture, checked the way a user would: each action of the reference's "Audit Log Details by Action"
 * table, and each event the life of a backup or a restore implies, is done through the API and read back through
 * {@code GET /api/audit?action=…&resource_id=…} with the reference's detail fields, its status, resource,
 * classification, the values before and after, and no secret anywhere in the answer. Failures are events too.
 *
 * <p>A service of its own (own catalog and storage, one backup and one restore worker, so a second job waits in the
 * queue) over storage whose writes can be held and whose deletes can be made to fail.
 */
@Import(AuditCoverageIT.Faults.class)
class AuditCoverageIT extends ApiTest {

    private static final Path OWN_DIR = ownDir();
    private static final RealServers servers = new RealServers();
    private static final String ENGINE_PASSWORD = "engine-pw-" + Long.toString(System.nanoTime(), 36);
    private static final String DATABASE_PASSWORD = "db-pw-" + Long.toString(System.nanoTime(), 36);
    /** Stands for a detail whose value the test cannot know (a duration, a checksum): it must be there, not null. */
    private static final Object PRESENT = new Object();

    @TestConfiguration
    static class Faults {
        @Bean
        @Primary
        FaultyStorage faultyStorage(CustosProperties properties) {
            return new FaultyStorage(new LocalStorageBackend(properties));
        }
    }

    @DynamicPropertySource
    static void ownService(DynamicPropertyRegistry registry) {
        registry.add("custos.catalog.url", () -> "jdbc:sqlite:" + OWN_DIR.resolve("custos.db"));
        registry.add("custos.storage.local.path", () -> OWN_DIR.resolve("backups").toString());
        registry.add("custos.backups.workers", () -> "1");
        registry.add("custos.restores.workers", () -> "1");
    }

    @Autowired
    private FaultyStorage storage;

    @AfterEach
    void heal() {
        storage.heal();
    }

    @AfterAll
    static void dropDatabases() {
        servers.dropAll();
    }

    // ---- engines ---------------------------------------------------------------------------------------------

    @Test
    void engineCreated() {
        String name = unique("Engine");
        String id = engine(name, "pg.example.com");

        JsonNode e = event("engine_created", id);

        assertResource(e, "engine", id, name);
        assertOutcome(e, "success", "configuration", "info", false);
        assertDetails(e, "engine_id", id, "engine_type", "postgresql", "host", "pg.example.com", "port", 5432);
        assertThat(e.path("after").path("name").asString()).isEqualTo(name);
        assertThat(e.path("after").path("has_password").asBoolean()).isTrue();
    }

    @Test
    void engineUpdated() {
        String id = engine(unique("Engine"), "pg.example.com");
        ok(api.put("/api/engines/" + id, Api.json("port", 5433, "password", ENGINE_PASSWORD + "-new")));

        JsonNode e = event("engine_updated", id);

        assertOutcome(e, "success", "configuration", "info", false);
        assertDetails(e, "engine_id", id, "engine_type", "postgresql", "updated_fields", List.of("port", "password"));
        assertThat(e.path("before").path("port").asInt()).isEqualTo(5432);
        assertThat(e.path("after").path("port").asInt()).isEqualTo(5433);
        assertThat(e.path("changes").path("port").toString()).isEqualTo("{\"from\":5432,\"to\":5433}");
    }

    @Test
    void engineDeleted() {
        String name = unique("Engine");
        String id = engine(name, "pg.example.com");
        ok(api.delete("/api/engines/" + id));

        JsonNode e = event("engine_deleted", id);

        assertResource(e, "engine", id, name);
        assertOutcome(e, "success", "configuration", "warning", false);
        assertDetails(e, "engine_id", id, "engine_type", "postgresql", "host", "pg.example.com",
                "cascade_databases", false, "cascade_backups", false, "databases_deleted", 0);
        assertWholeRecordBefore(e, "/api/engines/" + id, name);
    }

    @Test
    void anEngineDeletedWithItsDatabasesAndBackupsLeavesAnEventForEachOfThem() {
        String engineId = engine(unique("Engine"), RealServers.HOST);
        String databaseId = created(api.post("/api/databases", Api.json("name", unique("OnEngine"),
                "database_type", "postgresql", "engine_id", engineId, "database_name", servers.postgresDatabase(),
                "use_engine_credentials", true, "compression", "none")));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        ok(api.delete("/api/engines/" + engineId + "?delete_databases=true&delete_backups=true"));

        assertDetails(event("engine_deleted", engineId), "cascade_databases", true, "cascade_backups", true,
                "databases_deleted", 1);
        JsonNode database = event("database_deleted", databaseId);
        assertDetails(database, "engine_id", engineId, "backups_deleted", 1, "records_deleted", 1,
                "cascade_from_engine", engineId);
        JsonNode deletedBackup = event("backup_deleted", backup.path("id").asString());
        assertOutcome(deletedBackup, "success", "backup", "warning", false);
        assertDetails(deletedBackup, "blob_name", backup.path("blob_name").asString(), "database_id", databaseId,
                "engine_id", engineId, "type", "cascade");
        assertThat(deletedBackup.path("before").path("checksum_sha256").asString())
                .isEqualTo(backup.path("checksum_sha256").asString());
    }

    // ---- databases -------------------------------------------------------------------------------------------

    @Test
    void databaseCreated() {
        String name = unique("Database");
        String id = networkedDatabase(name);

        JsonNode e = event("database_created", id);

        assertResource(e, "database", id, name);
        assertOutcome(e, "success", "configuration", "info", false);
        assertDetails(e, "database_type", "postgresql", "engine_id", null, "host", "pg.example.com", "port", 5432,
                "database_name", "orders", "policy_id", "production-standard");
        assertThat(e.path("after").path("has_password").asBoolean()).isTrue();
    }

    @Test
    void aDatabaseImportedFromItsEngineIsCreatedWithTheSpecFields() {
        String engineId = engine(unique("Engine"), RealServers.HOST);
        String name = servers.postgresDatabase();
        JsonNode imported = ok(api.post("/api/engines/" + engineId + "/discover?import=true",
                Api.json("import_databases", List.of(name))));
        String id = imported.path("imported").path(0).path("id").asString();

        JsonNode e = event("database_created", id);

        assertOutcome(e, "success", "configuration", "info", false);
        assertDetails(e, "database_type", "postgresql", "engine_id", engineId, "host", RealServers.HOST, "port", 5432,
                "database_name", name, "policy_id", "production-standard", "source", "discovery");
    }

    @Test
    void databaseUpdated() {
        String id = networkedDatabase(unique("Database"));
        ok(api.put("/api/databases/" + id, Api.json("port", 5433, "password", DATABASE_PASSWORD + "-new")));

        JsonNode e = event("database_updated", id);

        assertOutcome(e, "success", "configuration", "info", false);
        assertDetails(e, "database_type", "postgresql", "engine_id", null);
        assertThat(e.path("details").path("changes").path("port").toString()).isEqualTo("{\"from\":5432,\"to\":5433}");
        assertThat(e.path("details").path("changes").path("password").asString()).isEqualTo("[redacted]");
        assertThat(e.path("changes").path("port").toString()).isEqualTo("{\"from\":5432,\"to\":5433}");
        assertThat(e.path("before").path("port").asInt()).isEqualTo(5432);
        assertThat(e.path("after").path("port").asInt()).isEqualTo(5433);
    }

    @Test
    void databaseDeleted() {
        String name = unique("Database");
        String id = networkedDatabase(name);
        ok(api.delete("/api/databases/" + id));

        JsonNode e = event("database_deleted", id);

        assertResource(e, "database", id, name);
        assertOutcome(e, "success", "configuration", "warning", false);
        assertDetails(e, "database_type", "postgresql", "engine_id", null, "host", "pg.example.com", "port", 5432,
                "database_name", "orders", "backups_deleted", 0, "records_deleted", 0);
        assertWholeRecordBefore(e, "/api/databases/" + id, name);
    }

    @Test
    void aDatabaseDeletedWithItsBackupsLeavesAnEventForEachBackup() throws IOException {
        String databaseId = sqliteDatabase(unique("Doomed"));
        JsonNode first = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        JsonNode second = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        ok(api.delete("/api/databases/" + databaseId + "?delete_backups=true"));

        assertDetails(event("database_deleted", databaseId), "backups_deleted", 2, "records_deleted", 2);
        for (JsonNode backup : List.of(first, second)) {
            JsonNode e = event("backup_deleted", backup.path("id").asString());
            assertDetails(e, "blob_name", backup.path("blob_name").asString(), "database_id", databaseId,
                    "type", "cascade");
            assertThat(e.path("before").path("id").asString()).isEqualTo(backup.path("id").asString());
        }
    }

    @Test
    void aBackupFileThatStorageWillNotDeleteAfterItsDatabaseWasDeletedIsAFailedFileDeletion() throws IOException {
        String databaseId = sqliteDatabase(unique("Doomed"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String blobName = backup.path("blob_name").asString();
        storage.failDeletes();

        ok(api.delete("/api/databases/" + databaseId + "?delete_backups=true"));

        assertOutcome(event("backup_deleted", backup.path("id").asString()), "success", "backup", "warning", false);
        // Written once the deletion's transaction has let go of the catalog, moments after the answer.
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/audit?action=backup_file_deleted&resource_id="
                + backup.path("id").asString()).json().path("total").asInt() == 1);
        JsonNode e = event("backup_file_deleted", backup.path("id").asString());
        assertResource(e, "backup", backup.path("id").asString(), blobName);
        assertOutcome(e, "failed", "backup", "warning", false);
        assertThat(e.path("error_message").asString()).contains(blobName, "left there", "Read-only file system");
        assertDetails(e, "blob_name", blobName, "database_id", databaseId, "type", "cascade");
        assertThat(OWN_DIR.resolve("backups").resolve(blobName)).exists();
    }

    // ---- policies and settings -------------------------------------------------------------------------------

    @Test
    void policyCreated() {
        String name = unique("Policy");
        String id = policy(name);

        JsonNode e = event("policy_created", id);

        assertResource(e, "policy", id, name);
        assertOutcome(e, "success", "configuration", "info", false);
        assertDetails(e, "description", "kept a week", "summary", PRESENT);
        assertThat(e.path("after").path("daily").path("keep_count").asInt()).isEqualTo(7);
    }

    @Test
    void policyUpdated() {
        String id = policy(unique("Policy"));
        ok(api.put("/api/backup-policies/" + id, Api.json("daily", Map.of("keep_count", 14))));

        JsonNode e = event("policy_updated", id);

        assertOutcome(e, "success", "configuration", "info", false);
        assertDetails(e, "updated_fields", List.of("daily"), "summary", PRESENT);
        assertThat(e.path("changes").path("daily.keep_count").toString()).isEqualTo("{\"from\":7,\"to\":14}");
    }

    @Test
    void policyDeleted() {
        String name = unique("Policy");
        String id = policy(name);
        ok(api.delete("/api/backup-policies/" + id));

        JsonNode e = event("policy_deleted", id);

        assertResource(e, "policy", id, name);
        assertOutcome(e, "success", "configuration", "warning", false);
        assertDetails(e, "description", "kept a week", "summary", PRESENT, "is_system", false);
        assertWholeRecordBefore(e, "/api/backup-policies/" + id, name);
    }

    @Test
    void settingsUpdated() {
        JsonNode before = ok(api.get("/api/settings"));
        int days = before.path("default_retention_days").asInt() + 1;
        ok(api.put("/api/settings", Api.json("default_retention_days", days)));

        JsonNode e = newest("settings_updated");

        assertResource(e, "settings", "settings", "Settings");
        assertOutcome(e, "success", "configuration", "info", false);
        String change = "{\"from\":" + (days - 1) + ",\"to\":" + days + "}";
        assertThat(e.path("details").path("changes").path("default_retention_days").toString()).isEqualTo(change);
        assertThat(e.path("changes").path("default_retention_days").toString()).isEqualTo(change);
        assertThat(e.path("before").path("default_retention_days").asInt()).isEqualTo(days - 1);
    }

    @Test
    void encryptionKeyRotated() {
        String keyId = ok(api.post("/api/encryption-keys/rotate", null)).path("key_id").asString();

        JsonNode e = event("encryption_key_rotated", keyId);

        assertResource(e, "encryption_key", keyId, keyId);
        assertOutcome(e, "success", "security", "warning", false);
        assertThat(e.path("details").has("retired_key_id")).isTrue();
    }

    // ---- backups ---------------------------------------------------------------------------------------------

    @Test
    void backupTriggered() throws IOException {
        String alias = unique("Notes");
        String databaseId = sqliteDatabase(alias);
        String backupId = BackupFlows.trigger(api, databaseId);
        BackupFlows.completed(api, backupId);

        JsonNode e = event("backup_triggered", backupId);

        assertResource(e, "backup", backupId, alias);
        assertOutcome(e, "success", "backup", "info", false);
        assertDetails(e, "database_id", databaseId, "database_alias", alias, "database_type", "sqlite",
                "engine_id", null, "triggered_by", "manual");
        assertThat(e.path("user_id").asString()).isEqualTo("anonymous");
    }

    @Test
    void aBackupThatRunsIsStartedAndCompletedBySystem() throws IOException {
        String databaseId = sqliteDatabase(unique("Notes"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String backupId = backup.path("id").asString();

        JsonNode started = event("backup_started", backupId);
        JsonNode completed = event("backup_completed", backupId);

        assertOutcome(started, "success", "backup", "info", false);
        assertDetails(started, "database_id", databaseId, "database_type", "sqlite", "worker", PRESENT);
        assertResource(completed, "backup", backupId, backup.path("blob_name").asString());
        assertOutcome(completed, "success", "backup", "info", false);
        assertDetails(completed, "database_id", databaseId, "blob_name", backup.path("blob_name").asString(),
                "file_size_bytes", backup.path("file_size_bytes").asLong(),
                "checksum_sha256", backup.path("checksum_sha256").asString(), "duration_seconds", PRESENT);
        assertThat(List.of(started, completed)).allSatisfy(e -> {
            assertThat(e.path("user_id").asString()).isEqualTo("system");
            assertThat(e.path("actor_type").asString()).isEqualTo("system");
        });
    }

    @Test
    void backupFailed() throws IOException {
        Path missing = Files.createTempDirectory(OWN_DIR, "gone").resolve("missing.db");
        String databaseId = BackupFlows.registerSqlite(api, unique("Missing"), missing, true);
        String backupId = BackupFlows.trigger(api, databaseId);
        JsonNode backup = BackupFlows.awaitFinal(api, backupId);
        assertThat(backup.path("status").asString()).isEqualTo("failed");

        JsonNode e = event("backup_failed", backupId);

        assertOutcome(e, "failed", "backup", "warning", false);
        assertThat(e.path("error_message").asString()).isNotBlank().isEqualTo(backup.path("error_message").asString());
        assertDetails(e, "database_id", databaseId, "database_type", "sqlite", "status", "failed");
        assertThat(e.path("after").path("status").asString()).isEqualTo("failed");
    }

    @Test
    void aRunningBackupThatIsCancelledIsCancelRequestedThenCancelled() throws Exception {
        String databaseId = sqliteDatabase(unique("Notes"));
        FaultyStorage.Gate gate = storage.holdWritesAfter(0);
        String backupId = BackupFlows.trigger(api, databaseId);
        try {
            assertThat(gate.awaitHeld(Duration.ofMinutes(1))).isTrue();
            assertThat(api.post("/api/backups/" + backupId + "/cancel", null).status()).isEqualTo(202);
        } finally {
            gate.open();
        }
        assertThat(BackupFlows.awaitFinal(api, backupId).path("status").asString()).isEqualTo("cancelled");

        JsonNode requested = event("backup_cancel_requested", backupId);
        JsonNode cancelled = event("backup_cancelled", backupId);

        assertOutcome(requested, "success", "backup", "info", false);
        assertThat(requested.path("before").path("status").asString()).isEqualTo("in_progress");
        assertOutcome(cancelled, "success", "backup", "warning", false);
        assertThat(cancelled.path("after").path("status").asString()).isEqualTo("cancelled");
    }

    @Test
    void aQueuedBackupThatIsCancelledIsCancelRequestedThenCancelled() throws Exception {
        String running = sqliteDatabase(unique("Busy"));
        String queued = sqliteDatabase(unique("Queued"));
        FaultyStorage.Gate gate = storage.holdWritesAfter(0);
        String runningId = BackupFlows.trigger(api, running);
        String queuedId;
        try {
            assertThat(gate.awaitHeld(Duration.ofMinutes(1))).isTrue();
            queuedId = BackupFlows.trigger(api, queued);
            assertThat(api.post("/api/backups/" + queuedId + "/cancel", null).status()).isEqualTo(200);
        } finally {
            gate.open();
        }
        BackupFlows.completed(api, runningId);

        assertThat(event("backup_cancel_requested", queuedId).path("before").path("status").asString())
                .isEqualTo("pending");
        JsonNode cancelled = event("backup_cancelled", queuedId);
        assertOutcome(cancelled, "success", "backup", "warning", false);
        assertDetails(cancelled, "database_id", queued, "status", "cancelled");
        assertThat(cancelled.path("after").path("status").asString()).isEqualTo("cancelled");
        assertThat(api.get("/api/audit?action=backup_started&resource_id=" + queuedId).json().path("total").asInt())
                .isZero();
    }

    @Test
    void backupDownloaded() throws IOException {
        String alias = unique("Notes");
        String databaseId = sqliteDatabase(alias);
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String blobName = backup.path("blob_name").asString();
        ok(api.get("/api/backups/download?blob_name=" + Api.encode(blobName) + "&expiry_hours=2"));

        JsonNode e = event("backup_downloaded", backup.path("id").asString());

        assertOutcome(e, "success", "backup", "info", true);
        assertDetails(e, "blob_name", blobName, "file_name", blobName.substring(blobName.lastIndexOf('/') + 1),
                "database_type", "sqlite", "database_id", databaseId, "database_alias", alias, "engine_id", null,
                "expiry_hours", 2);
        assertThat(e.toString()).doesNotContain("signature=");
    }

    @Test
    void backupFileServed() throws IOException {
        String databaseId = sqliteDatabase(unique("Notes"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String blobName = backup.path("blob_name").asString();
        assertThat(BackupFlows.fetch(BackupFlows.downloadUrl(api, blobName), "bytes=0-9").statusCode()).isEqualTo(206);

        JsonNode e = event("backup_file_served", backup.path("id").asString());

        assertOutcome(e, "success", "backup", "info", true);
        assertDetails(e, "blob_name", blobName, "database_id", databaseId,
                "range", "bytes 0-9/" + backup.path("file_size_bytes").asLong(), "bytes", 10);
    }

    @Test
    void anAlteredDownloadLinkIsARefusedRead() throws IOException {
        String databaseId = sqliteDatabase(unique("Notes"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String url = BackupFlows.downloadUrl(api, backup.path("blob_name").asString());
        String altered = url.substring(0, url.length() - 1) + (url.endsWith("0") ? "1" : "0");

        assertThat(BackupFlows.fetch(altered, null).statusCode()).isEqualTo(403);

        JsonNode e = event("backup_file_served", backup.path("id").asString());
        assertOutcome(e, "failed", "backup", "warning", true);
        assertThat(e.path("error_message").asString()).isNotBlank();
        assertDetails(e, "blob_name", backup.path("blob_name").asString(), "database_id", databaseId, "bytes", 0);
    }

    @Test
    void backupDeleted() throws IOException {
        String alias = unique("Notes");
        String databaseId = sqliteDatabase(alias);
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String blobName = backup.path("blob_name").asString();
        ok(api.delete("/api/backups/delete?blob_name=" + Api.encode(blobName)));

        JsonNode e = event("backup_deleted", backup.path("id").asString());

        assertResource(e, "backup", backup.path("id").asString(), blobName);
        assertOutcome(e, "success", "backup", "warning", false);
        assertDetails(e, "blob_name", blobName, "file_name", blobName.substring(blobName.lastIndexOf('/') + 1),
                "database_type", "sqlite", "database_id", databaseId, "database_alias", alias, "engine_id", null,
                "type", "manual");
        assertThat(e.path("before")).isEqualTo(backup);
    }

    @Test
    void backupDeletedBulk() throws IOException {
        String databaseId = sqliteDatabase(unique("Notes"));
        String blobName = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId)).path("blob_name").asString();
        String missing = "sqlite/" + databaseId + "/19990101_000000.sqlite.zst";
        ok(api.post("/api/backups/delete-bulk", Api.json("blob_names", List.of(blobName, missing))));

        JsonNode e = newest("backup_deleted_bulk");

        assertOutcome(e, "success", "backup", "warning", false);
        assertDetails(e, "deleted_count", 1, "deleted_files", List.of(blobName), "not_found_count", 1,
                "error_count", 0);
    }

    @Test
    void aBackupThatStorageWillNotDeleteIsAFailedDeletionAndStaysListed() throws IOException {
        String databaseId = sqliteDatabase(unique("Kept"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String blobName = backup.path("blob_name").asString();
        storage.failDeletes();

        Api.Response refused = api.delete("/api/backups/delete?blob_name=" + Api.encode(blobName));

        assertThat(refused.status()).as(refused.text()).isEqualTo(503);
        JsonNode e = event("backup_deleted", backup.path("id").asString());
        assertOutcome(e, "failed", "backup", "warning", false);
        assertThat(e.path("error_message").asString()).contains("Read-only file system");
        assertDetails(e, "blob_name", blobName, "database_id", databaseId, "type", "manual");
        assertThat(BackupFlows.backup(api, backup.path("id").asString()).path("status").asString())
                .isEqualTo("completed");
    }

    @Test
    void aBulkDeletionThatStorageRefusesNamesTheFailureInEachEvent() throws IOException {
        String databaseId = sqliteDatabase(unique("Kept"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String blobName = backup.path("blob_name").asString();
        storage.failDeletes();

        ok(api.post("/api/backups/delete-bulk", Api.json("blob_names", List.of(blobName))));

        JsonNode one = event("backup_deleted", backup.path("id").asString());
        assertOutcome(one, "failed", "backup", "warning", false);
        assertDetails(one, "blob_name", blobName, "type", "bulk");
        JsonNode bulk = newest("backup_deleted_bulk");
        assertOutcome(bulk, "failed", "backup", "warning", false);
        assertDetails(bulk, "deleted_count", 0, "deleted_files", List.of(), "not_found_count", 0, "error_count", 1);
        assertThat(bulk.path("error_message").asString()).contains("1 of 1", blobName, "Read-only file system");
    }

    // ---- restores --------------------------------------------------------------------------------------------

    @Test
    void aRestoreIsRequestedStartedAndCompletedWithItsOptionsAndSnapshot() throws IOException {
        Path file = sqliteFile();
        String databaseId = BackupFlows.registerSqlite(api, unique("Shop"), file, true);
        String backupId = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId)).path("id").asString();
        String restoreId = queued(api.post("/api/backups/" + backupId + "/restore", Api.json("confirm", file.toString())));
        JsonNode restore = awaitRestore(restoreId, "completed");
        String snapshotId = restore.path("pre_restore_snapshot_id").asString();

        JsonNode requested = event("restore_requested", restoreId);
        JsonNode started = event("restore_started", restoreId);
        JsonNode completed = event("restore_completed", restoreId);

        assertResource(requested, "restore", restoreId, file.toString());
        assertOutcome(requested, "success", "restore", "info", true);
        assertDetails(requested, "restore_id", restoreId, "backup_id", backupId, "restore_type", "same_database",
                "create_snapshot", true, "strict_delete", false, "pre_restore_snapshot_id", null,
                "target_database_id", databaseId);
        assertOutcome(started, "success", "restore", "warning", true);
        assertOutcome(completed, "success", "restore", "warning", true);
        assertDetails(completed, "restore_id", restoreId, "backup_id", backupId, "create_snapshot", true,
                "strict_delete", false, "pre_restore_snapshot_id", snapshotId, "target_touched", true,
                "bytes_read", PRESENT, "duration_seconds", PRESENT);
        assertDetails(event("backup_triggered", snapshotId), "database_id", databaseId, "triggered_by", "pre_restore");
    }

    @Test
    void restoreFailed() throws IOException {
        String databaseId = sqliteDatabase(unique("Shop"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        flipAByteInTheMiddle(OWN_DIR.resolve("backups").resolve(backup.path("blob_name").asString()));
        Path target = Files.createTempDirectory(OWN_DIR, "restored").resolve("copy.db");
        String restoreId = queued(api.post("/api/backups/" + backup.path("id").asString() + "/restore",
                Api.json("target_database_name", target.toString(), "strict_delete", true)));
        JsonNode restore = awaitRestore(restoreId, "failed");

        JsonNode e = event("restore_failed", restoreId);

        assertOutcome(e, "failed", "restore", "critical", true);
        assertThat(e.path("error_message").asString()).isNotBlank().isEqualTo(restore.path("error_message").asString());
        assertDetails(e, "restore_id", restoreId, "backup_id", backup.path("id").asString(),
                "restore_type", "new_database", "create_snapshot", true, "strict_delete", true,
                "pre_restore_snapshot_id", null, "target_touched", false);
    }

    @Test
    void aRestoreCancelledWhileItsSnapshotIsTakenIsCancelRequestedThenCancelled() throws Exception {
        Path file = sqliteFile();
        String databaseId = BackupFlows.registerSqlite(api, unique("Shop"), file, true);
        String backupId = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId)).path("id").asString();
        FaultyStorage.Gate gate = storage.holdWritesAfter(0);
        String restoreId;
        try {
            restoreId = queued(api.post("/api/backups/" + backupId + "/restore", Api.json("confirm", file.toString())));
            assertThat(gate.awaitHeld(Duration.ofMinutes(1))).isTrue();
            assertThat(api.post("/api/restores/" + restoreId + "/cancel", null).status()).isEqualTo(202);
        } finally {
            gate.open();
        }
        awaitRestore(restoreId, "cancelled");

        assertThat(event("restore_cancel_requested", restoreId).path("before").path("status").asString())
                .isEqualTo("in_progress");
        JsonNode cancelled = event("restore_cancelled", restoreId);
        assertOutcome(cancelled, "success", "restore", "warning", true);
        assertDetails(cancelled, "restore_id", restoreId, "backup_id", backupId, "target_touched", false);
    }

    @Test
    void aQueuedRestoreThatIsCancelledIsCancelRequestedThenCancelled() throws Exception {
        Path busy = sqliteFile();
        String busyId = BackupFlows.registerSqlite(api, unique("Busy"), busy, true);
        String busyBackup = BackupFlows.completed(api, BackupFlows.trigger(api, busyId)).path("id").asString();
        String backupId = BackupFlows.completed(api, BackupFlows.trigger(api, sqliteDatabase(unique("Shop"))))
                .path("id").asString();
        Path target = Files.createTempDirectory(OWN_DIR, "restored").resolve("copy.db");
        FaultyStorage.Gate gate = storage.holdWritesAfter(0);
        String running;
        String queuedId;
        try {
            running = queued(api.post("/api/backups/" + busyBackup + "/restore", Api.json("confirm", busy.toString())));
            assertThat(gate.awaitHeld(Duration.ofMinutes(1))).isTrue();
            queuedId = queued(api.post("/api/backups/" + backupId + "/restore",
                    Api.json("target_database_name", target.toString())));
            assertThat(api.post("/api/restores/" + queuedId + "/cancel", null).status()).isEqualTo(200);
        } finally {
            gate.open();
        }
        awaitRestore(running, "completed");

        assertThat(event("restore_cancel_requested", queuedId).path("before").path("status").asString())
                .isEqualTo("pending");
        JsonNode cancelled = event("restore_cancelled", queuedId);
        assertOutcome(cancelled, "success", "restore", "warning", true);
        assertDetails(cancelled, "restore_id", queuedId, "backup_id", backupId, "restore_type", "new_database");
        assertThat(cancelled.path("after").path("status").asString()).isEqualTo("cancelled");
        assertThat(api.get("/api/audit?action=restore_started&resource_id=" + queuedId).json().path("total").asInt())
                .isZero();
    }

    @Test
    void aVerificationRecordsItsResultOnTheBackupWithBeforeAndAfter() throws IOException {
        String databaseId = sqliteDatabase(unique("Shop"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String backupId = backup.path("id").asString();
        String restoreId = queued(api.post("/api/backups/" + backupId + "/verify", Api.json("mode", "checksum")));
        awaitRestore(restoreId, "completed");

        JsonNode requested = event("verification_requested", restoreId);
        JsonNode verification = event("verification_completed", restoreId);
        JsonNode verified = event("backup_verified", backupId);

        assertOutcome(requested, "success", "restore", "info", false);
        assertDetails(requested, "restore_id", restoreId, "backup_id", backupId, "restore_type", "verify");
        assertOutcome(event("verification_started", restoreId), "success", "restore", "info", false);
        assertResource(verification, "restore", restoreId, backupId);
        assertOutcome(verification, "success", "restore", "info", false);
        assertDetails(verification, "restore_id", restoreId, "backup_id", backupId, "restore_type", "verify",
                "verification_status", "passed", "result", PRESENT);
        assertThat(verification.path("details").path("result").path("sha256").asString())
                .isEqualTo(backup.path("checksum_sha256").asString());
        assertResource(verified, "backup", backupId, backup.path("blob_name").asString());
        assertOutcome(verified, "success", "backup", "info", false);
        assertDetails(verified, "backup_id", backupId, "verification_kind", "checksum", "verification_status", "passed");
        assertThat(verified.path("before").path("verification_status").isNull()).isTrue();
        assertThat(verified.path("after").path("verification_status").asString()).isEqualTo("passed");
    }

    @Test
    void aBackupThatFailsVerificationIsAFailedVerificationAndAFailedBackupVerified() throws IOException {
        String databaseId = sqliteDatabase(unique("Shop"));
        JsonNode backup = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
        String backupId = backup.path("id").asString();
        flipAByteInTheMiddle(OWN_DIR.resolve("backups").resolve(backup.path("blob_name").asString()));
        String restoreId = queued(api.post("/api/backups/" + backupId + "/verify", null));
        awaitRestore(restoreId, "failed");

        JsonNode verification = event("verification_failed", restoreId);
        JsonNode verified = event("backup_verified", backupId);

        assertOutcome(verification, "failed", "restore", "critical", false);
        assertThat(verification.path("error_message").asString()).isNotBlank();
        assertDetails(verification, "restore_id", restoreId, "verification_status", "failed");
        assertOutcome(verified, "failed", "backup", "warning", false);
        assertThat(verified.path("error_message").asString()).isNotBlank();
        assertDetails(verified, "verification_kind", "checksum", "verification_status", "failed");
    }

    @Test
    void aTestRestoreRecordsWhatItCompared() throws IOException {
        String databaseId = sqliteDatabase(unique("Shop"));
        String backupId = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId)).path("id").asString();
        String restoreId = queued(api.post("/api/backups/" + backupId + "/verify", Api.json("mode", "test_restore")));
        awaitRestore(restoreId, "completed");

        assertOutcome(event("test_restore_requested", restoreId), "success", "restore", "info", true);
        assertOutcome(event("test_restore_started", restoreId), "success", "restore", "info", true);
        JsonNode e = event("test_restore_completed", restoreId);

        assertResource(e, "restore", restoreId, backupId);
        assertOutcome(e, "success", "restore", "info", true);
        assertDetails(e, "restore_id", restoreId, "backup_id", backupId, "restore_type", "test_restore",
                "verification_status", "passed");
        JsonNode result = e.path("details").path("result");
        assertThat(result.path("compared").asBoolean()).as(e.toString()).isTrue();
        assertThat(result.path("differences").toString()).isEqualTo("[]");
        assertThat(result.path("tables").asInt()).isEqualTo(1);
        assertThat(result.path("rows").asInt()).isEqualTo(3);
        assertDetails(event("backup_verified", backupId), "verification_kind", "test_restore",
                "verification_status", "passed");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The one event of an action about a resource, read back as a user would; no secret is in the answer. */
    private JsonNode event(String action, String resourceId) {
        Api.Response r = api.get("/api/audit?action=" + action + "&resource_id=" + Api.encode(resourceId));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertNoSecret(r);
        assertThat(r.json().path("logs").size()).as(action + " of " + resourceId + ": " + r.text()).isEqualTo(1);
        JsonNode e = r.json().path("logs").path(0);
        assertThat(e.path("action").asString()).isEqualTo(action);
        return e;
    }

    /** The newest event of an action (for those about no single resource). */
    private JsonNode newest(String action) {
        Api.Response r = api.get("/api/audit?action=" + action + "&limit=1");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertNoSecret(r);
        assertThat(r.json().path("logs").size()).as(r.text()).isEqualTo(1);
        return r.json().path("logs").path(0);
    }

    private static void assertNoSecret(Api.Response r) {
        assertThat(r.text()).doesNotContain(ENGINE_PASSWORD, DATABASE_PASSWORD);
        for (JsonNode parent : r.json().findParents("password")) {
            assertThat(parent.path("password").asString()).isEqualTo("[redacted]");
        }
    }

    private static void assertResource(JsonNode e, String type, String id, String name) {
        assertThat(e.path("resource_type").asString()).as(e.toString()).isEqualTo(type);
        assertThat(e.path("resource_id").asString()).as(e.toString()).isEqualTo(id);
        assertThat(e.path("resource_name").asString()).as(e.toString()).isEqualTo(name);
    }

    private static void assertOutcome(JsonNode e, String status, String category, String severity, boolean sensitive) {
        assertThat(e.path("status").asString()).as(e.toString()).isEqualTo(status);
        if (status.equals("success")) {
            assertThat(e.path("error_message").isNull()).as(e.toString()).isTrue();
        }
        assertThat(e.path("category").asString()).as(e.toString()).isEqualTo(category);
        assertThat(e.path("severity").asString()).as(e.toString()).isEqualTo(severity);
        assertThat(e.path("sensitive_data_accessed").asBoolean()).as(e.toString()).isEqualTo(sensitive);
    }

    /** Each named detail is there with this value ({@link #PRESENT}: with any value but null). */
    private static void assertDetails(JsonNode e, Object... fieldsAndValues) {
        JsonNode details = e.path("details");
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            String field = (String) fieldsAndValues[i];
            Object value = fieldsAndValues[i + 1];
            assertThat(details.has(field)).as("details." + field + " of " + e).isTrue();
            if (value == PRESENT) {
                assertThat(details.get(field).isNull()).as("details." + field + " of " + e).isFalse();
            } else {
                assertThat(details.get(field).toString()).as("details." + field + " of " + e)
                        .isEqualTo(Api.JSON.writeValueAsString(value));
            }
        }
    }

    /** A deletion's {@code before} is the whole record, kept by the event after the API forgot it. */
    private void assertWholeRecordBefore(JsonNode e, String path, String name) {
        assertThat(api.get(path).status()).isEqualTo(404);
        JsonNode before = e.path("before");
        assertThat(before.path("id").asString()).isEqualTo(e.path("resource_id").asString());
        assertThat(before.path("name").asString()).isEqualTo(name);
        assertThat(before.path("created_at").asString()).as(before.toString()).isNotBlank();
    }

    private JsonNode ok(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 201);
        return r.json();
    }

    private static String created(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }

    private String engine(String name, String host) {
        Api.Response r = api.post("/api/engines", Api.json("name", name, "engine_type", "postgresql", "host", host,
                "port", 5432, "username", "postgres", "password", ENGINE_PASSWORD));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("engine").path("id").asString();
    }

    private String networkedDatabase(String name) {
        return created(api.post("/api/databases", Api.json("name", name, "database_type", "postgresql",
                "host", "pg.example.com", "port", 5432, "database_name", "orders", "username", "backup_user",
                "password", DATABASE_PASSWORD)));
    }

    private String policy(String name) {
        Api.Response r = api.post("/api/backup-policies", Api.json("name", name, "description", "kept a week",
                "daily", Map.of("enabled", true, "time", "02:00", "keep_count", 7)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("policy").path("id").asString();
    }

    private static Path sqliteFile() throws IOException {
        Path file = Files.createTempDirectory(OWN_DIR, "sqlite").resolve("shop.db");
        Sql.sqlite(file.toString(), "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1), (2), (3)");
        return file;
    }

    private String sqliteDatabase(String name) throws IOException {
        return BackupFlows.registerSqlite(api, name, sqliteFile(), true);
    }

    private static String queued(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.json().path("restore_id").asString();
    }

    private JsonNode awaitRestore(String restoreId, String status) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> BackupFlows.FINAL.contains(api.get("/api/restores/" + restoreId).json().path("status").asString()));
        JsonNode restore = api.get("/api/restores/" + restoreId).json();
        assertThat(restore.path("status").asString()).as(restore.toString()).isEqualTo(status);
        return restore;
    }

    private static void flipAByteInTheMiddle(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long middle = f.length() / 2;
            f.seek(middle);
            int b = f.read();
            f.seek(middle);
            f.write(b ^ 0xff);
        }
    }

    private static Path ownDir() {
        try {
            return Files.createTempDirectory("custos-audit-coverage");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
