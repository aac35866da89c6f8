package dev.custos.restores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.backups.BackupFlows;
import dev.custos.engines.RealServers;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.Sql;

/**
 * Restores as a user drives them, against the real servers and tools: back up, damage, restore with a pre-restore
 * snapshot, roll back; restore elsewhere; a flipped byte caught by verify and by restore; test restores; uploads.
 */
class RestoreApiIT extends ApiTest {

    private static final RealServers servers = new RealServers();
    private static final String ORDERS = "SELECT id || ':' || item || ':' || qty FROM orders ORDER BY id";

    @AfterAll
    static void dropDatabases() {
        servers.dropAll();
    }

    private String shop() {
        String db = servers.postgresDatabase();
        Sql.postgres(db, "CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL, qty int NOT NULL)",
                "INSERT INTO orders (item, qty) VALUES ('apple', 3), ('pear', 5), ('plum', 7)");
        return db;
    }

    private String backUp(String databaseId) {
        String backupId = BackupFlows.trigger(api, databaseId);
        BackupFlows.completed(api, backupId);
        return backupId;
    }

    private JsonNode queue(String path, String body) {
        Api.Response r = api.post(path, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().path("restore_id").asString()).startsWith("restore-");
        return r.json().path("restore");
    }

    private JsonNode awaitRestore(String restoreId) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> BackupFlows.FINAL.contains(restore(restoreId).path("status").asString()));
        return restore(restoreId);
    }

    private JsonNode restore(String restoreId) {
        Api.Response r = api.get("/api/restores/" + restoreId);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private JsonNode completedRestore(String restoreId) {
        JsonNode r = awaitRestore(restoreId);
        assertThat(r.path("status").asString()).as(r.toString() + " logs: " + api.get("/api/restores/" + restoreId + "/logs"))
                .isEqualTo("completed");
        return r;
    }

    private List<String> audited(String resourceId, String column) {
        return Sql.sqliteRows(dataDir().resolve("custos.db").toString(), "SELECT " + column
                + " FROM audit_events WHERE resource_id = '" + resourceId + "' ORDER BY occurred_at, rowid");
    }

    @Test
    void aDamagedDatabaseIsRestoredWithASnapshotAndTheRestoreCanBeRolledBack() {
        String db = shop();
        String databaseId = BackupFlows.registerPostgres(api, unique("shop"), db, "zstd");
        String backupId = backUp(databaseId);
        List<String> original = Sql.postgresRows(db, ORDERS);
        Sql.postgres(db, "DELETE FROM orders WHERE id = 1", "UPDATE orders SET qty = 0", "CREATE TABLE notes (x int)");
        List<String> damaged = Sql.postgresRows(db, ORDERS);

        JsonNode queued = queue("/api/backups/" + backupId + "/restore", Api.json("confirm", db));
        assertThat(queued.path("restore_type").asString()).isEqualTo("same_database");
        assertThat(queued.path("create_snapshot").asBoolean()).isTrue();
        JsonNode done = completedRestore(queued.path("id").asString());

        assertThat(Sql.postgresRows(db, ORDERS)).isEqualTo(original);
        // Not strict: what the backup does not hold stays.
        assertThat(Sql.postgresRows(db, "SELECT count(*) FROM notes")).containsExactly("0");
        String snapshotId = done.path("pre_restore_snapshot_id").asString();
        assertThat(snapshotId).startsWith("backup-");
        JsonNode snapshot = BackupFlows.backup(api, snapshotId);
        assertThat(snapshot.path("status").asString()).isEqualTo("completed");
        assertThat(snapshot.path("triggered_by").asString()).isEqualTo("pre_restore");
        assertThat(done.path("target_touched").asBoolean()).isTrue();
        assertThat(audited(done.path("id").asString(), "action"))
                .containsExactly("restore_requested", "restore_started", "restore_completed");
        assertThat(audited(done.path("id").asString(), "json_extract(details, '$.pre_restore_snapshot_id') || '|'"
                + " || json_extract(details, '$.create_snapshot') || '|' || json_extract(details, '$.strict_delete')"
                + " || '|' || json_extract(details, '$.backup_id')"))
                .last().isEqualTo(snapshotId + "|1|0|" + backupId);

        JsonNode rollback = queue("/api/restores/" + done.path("id").asString() + "/rollback", null);
        assertThat(rollback.path("backup_id").asString()).isEqualTo(snapshotId);
        completedRestore(rollback.path("id").asString());

        assertThat(Sql.postgresRows(db, ORDERS)).isEqualTo(damaged);
    }

    @Test
    void aNonEmptyTargetNeedsConfirmOrStrictDelete() {
        String db = shop();
        String databaseId = BackupFlows.registerPostgres(api, unique("shop"), db, "none");
        String backupId = backUp(databaseId);
        Sql.postgres(db, "CREATE TABLE extra (x int)", "DELETE FROM orders");

        Api.Response refused = api.post("/api/backups/" + backupId + "/restore", Api.json("confirm", "wrong-name"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.error()).contains("not empty", "\"confirm\": \"" + db + "\"", "strict_delete");

        String id = queue("/api/backups/" + backupId + "/restore", Api.json("strict_delete", true,
                "create_snapshot", false)).path("id").asString();
        completedRestore(id);

        assertThat(Sql.postgresRows(db, "SELECT count(*) FROM orders")).containsExactly("3");
        assertThat(Sql.postgresRows(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'extra'")).containsExactly("0");
    }

    @Test
    void aPostgresBackupRestoresIntoANewDatabaseOnAnEngine() {
        String db = shop();
        String databaseId = BackupFlows.registerPostgres(api, unique("shop"), db, "zstd");
        String backupId = backUp(databaseId);
        String engineId = engine("postgresql", RealServers.POSTGRES_PORT, "postgres");
        String target = servers.newPostgresName();

        JsonNode queued = queue("/api/backups/" + backupId + "/restore", Api.json("target_engine_id", engineId,
                "target_database_name", target));
        JsonNode done = completedRestore(queued.path("id").asString());

        assertThat(done.path("restore_type").asString()).isEqualTo("new_database");
        assertThat(done.path("details").path("created_database").asBoolean()).isTrue();
        assertThat(done.path("pre_restore_snapshot_id").isNull()).isTrue();
        assertThat(Sql.postgresRows(target, ORDERS)).isEqualTo(Sql.postgresRows(db, ORDERS));
    }

    @Test
    void aMariadbBackupWithAForeignDefinerRestoresWhereThatAccountDoesNotExist() {
        String db = servers.mariadbDatabase();
        String definer = "custos_definer_" + Long.toString(System.nanoTime(), 36);
        servers.trackMariadbUser(definer);
        Sql.mariadb(db, "CREATE USER '" + definer + "'@'%'", "GRANT ALL ON *.* TO '" + definer + "'@'%'",
                "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))", "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
                "CREATE DEFINER = '" + definer + "'@'%' SQL SECURITY DEFINER VIEW v AS SELECT name FROM t");
        String databaseId = BackupFlows.registerMariadb(api, unique("maria"), db, "gzip");
        String backupId = backUp(databaseId);
        Sql.mariadb(db, "DROP USER '" + definer + "'@'%'");
        String engineId = engine("mysql", RealServers.MARIADB_PORT, "root");
        String target = servers.newMariadbName();

        String id = queue("/api/backups/" + backupId + "/restore", Api.json("target_engine_id", engineId,
                "target_database_name", target)).path("id").asString();
        completedRestore(id);

        assertThat(Sql.mariadbRows(target, "SELECT name FROM v ORDER BY name")).containsExactly("a", "b");
    }

    @Test
    void aFlippedByteIsCaughtByVerifyAndByRestoreAndTheTargetIsUntouched() throws IOException {
        String db = shop();
        String databaseId = BackupFlows.registerPostgres(api, unique("shop"), db, "zstd");
        String backupId = backUp(databaseId);
        JsonNode backup = BackupFlows.backup(api, backupId);
        Path object = dataDir().resolve("backups").resolve(backup.path("blob_name").asString());
        flipAByteInTheMiddle(object);
        Sql.postgres(db, "UPDATE orders SET qty = 42");
        List<String> before = Sql.postgresRows(db, ORDERS);

        JsonNode verification = awaitRestore(queue("/api/backups/" + backupId + "/verify", null).path("id").asString());
        assertThat(verification.path("status").asString()).isEqualTo("failed");
        assertThat(verification.path("error_message").asString()).contains("corrupt");
        JsonNode verified = BackupFlows.backup(api, backupId);
        assertThat(verified.path("verification_status").asString()).isEqualTo("failed");
        assertThat(verified.path("verification_kind").asString()).isEqualTo("checksum");

        JsonNode restore = awaitRestore(queue("/api/backups/" + backupId + "/restore",
                Api.json("confirm", db, "create_snapshot", false)).path("id").asString());
        assertThat(restore.path("status").asString()).isEqualTo("failed");
        assertThat(restore.path("error_message").asString()).contains("corrupt", "not touched");
        assertThat(restore.path("target_touched").asBoolean()).isFalse();
        assertThat(Sql.postgresRows(db, ORDERS)).isEqualTo(before);
    }

    private static void flipAByteInTheMiddle(Path object) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(object.toFile(), "rw")) {
            long middle = file.length() / 2;
            file.seek(middle);
            int b = file.read();
            file.seek(middle);
            file.write(b ^ 0x01);
        }
    }

    @Test
    void aTestRestoreProvesTheBackupAndSystemStatusShowsIt() {
        String db = shop();
        Sql.postgres(db, "CREATE VIEW big_orders AS SELECT * FROM orders WHERE qty > 4",
                "SELECT setval('orders_id_seq', 100)");
        String databaseId = BackupFlows.registerPostgres(api, unique("shop"), db, "zstd");
        String backupId = backUp(databaseId);
        assertThat(BackupFlows.backup(api, backupId).path("has_fingerprint").asBoolean()).isTrue();

        JsonNode done = completedRestore(queue("/api/backups/" + backupId + "/verify", Api.json("mode", "test_restore"))
                .path("id").asString());

        assertThat(done.path("details").path("compared").asBoolean()).isTrue();
        assertThat(done.path("details").path("differences").size()).isZero();
        JsonNode backup = BackupFlows.backup(api, backupId);
        assertThat(backup.path("verification_status").asString()).isEqualTo("passed");
        assertThat(backup.path("verification_kind").asString()).isEqualTo("test_restore");
        assertThat(backup.path("verified_at").asString()).isNotEmpty();
        String scratch = done.path("details").path("scratch").asString();
        assertThat(Sql.postgresRows("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'custos_verify_%'"))
                .as("scratch %s dropped", scratch).containsExactly("0");
        JsonNode status = api.get("/api/system-status?include=restores").json().path("restorability");
        JsonNode mine = status.path("databases").valueStream()
                .filter(d -> d.path("database_id").asString().equals(databaseId)).findFirst().orElseThrow();
        assertThat(mine.path("last_verified_backup_id").asString()).isEqualTo(backupId);
        assertThat(mine.path("age_seconds").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aTargetInUseIsRefusedAndLeftAlone() throws Exception {
        String db = shop();
        String databaseId = BackupFlows.registerPostgres(api, unique("shop"), db, "none");
        String backupId = backUp(databaseId);
        try (Connection app = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db
                + "?ApplicationName=shop-app", "postgres", "")) {
            Api.Response refused = api.post("/api/backups/" + backupId + "/restore", Api.json("confirm", db));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.error()).contains("in use", "shop-app");
        }
    }

    @Test
    void dumpsMadeOutsideCustosAreRestoredFromAnUpload() throws Exception {
        Path dir = Files.createTempDirectory("custos-upload-");
        String engineId = engine("postgresql", RealServers.POSTGRES_PORT, "postgres");
        String db = shop();
        for (String format : List.of("c", "p")) {
            Path dump = dir.resolve("shop." + format);
            BackupFlows.run(List.of("pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-F" + format, "-f", dump.toString(),
                    db), null);
            String target = servers.newPostgresName();
            JsonNode done = completedRestore(upload("/api/restores/upload?target_engine_id=" + engineId
                    + "&target_database_name=" + target, dump).path("id").asString());
            assertThat(done.path("restore_type").asString()).isEqualTo("file");
            assertThat(done.path("details").path("format").asString()).isEqualTo(format.equals("c") ? "pg_custom" : "pg_plain");
            assertThat(Sql.postgresRows(target, ORDERS)).as(format).isEqualTo(Sql.postgresRows(db, ORDERS));
        }

        String maria = servers.mariadbDatabase();
        Sql.mariadb(maria, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))", "INSERT INTO t VALUES (1, 'x')");
        Path sql = dir.resolve("maria.sql");
        BackupFlows.run(List.of("sh", "-c", "mariadb-dump -h 127.0.0.1 -u root " + maria + " > " + sql), null);
        String mariaTarget = servers.newMariadbName();
        completedRestore(upload("/api/restores/upload?target_engine_id=" + engine("mysql", RealServers.MARIADB_PORT, "root")
                + "&target_database_name=" + mariaTarget, sql).path("id").asString());
        assertThat(Sql.mariadbRows(mariaTarget, "SELECT name FROM t")).containsExactly("x");

        Path sqlite = dir.resolve("notes.sqlite");
        Sql.sqlite(sqlite.toString(), "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('kept')");
        Path restored = dir.resolve("restored.sqlite");
        completedRestore(upload("/api/restores/upload?database_type=sqlite&target_database_name="
                + Api.encode(restored.toString()), sqlite).path("id").asString());
        assertThat(Sql.sqliteRows(restored.toString(), "SELECT body FROM notes")).containsExactly("kept");
        assertThat(api.get("/api/backups/files?prefix=uploads/").json().path("count").asInt()).isZero();
    }

    private JsonNode upload(String path, Path file) {
        Api.Response r = api.upload(path, file);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.json().path("restore");
    }

    @Test
    void mistakesAreFourHundredsNamingTheField() {
        String db = shop();
        String databaseId = BackupFlows.registerPostgres(api, unique("shop"), db, "none");
        String backupId = backUp(databaseId);
        String mysqlEngine = engine("mysql", RealServers.MARIADB_PORT, "root");

        Map<String, Integer> cases = Map.of(
                Api.json("target_engine_id", mysqlEngine, "target_database_name", "x"), 400,
                Api.json("target_engine_id", "engine-nope", "target_database_name", "x"), 400,
                Api.json("target_database_id", "db-nope"), 400,
                Api.json("target_database_name", "x"), 400,
                Api.json("create_snapshot", "yes"), 400);
        cases.forEach((body, status) -> {
            Api.Response r = api.post("/api/backups/" + backupId + "/restore", body);
            assertThat(r.status()).as(body + " → " + r).isEqualTo(status);
            assertThat(r.error()).as(body).isNotBlank();
        });
        assertThat(api.post("/api/backups/backup-nope/restore", "{}").status()).isEqualTo(404);
        assertThat(api.post("/api/backups/" + backupId + "/verify", Api.json("mode", "deep")).error()).contains("mode");
        assertThat(api.get("/api/restores?status=done").error()).contains("status");
        assertThat(api.get("/api/restores?restore_type=x").error()).contains("restore_type");
        assertThat(api.get("/api/restores/restore-nope").status()).isEqualTo(404);
        Api.Response empty = api.send("POST", "/api/restores/upload?target_database_id=" + databaseId + "&confirm=" + db,
                "application/octet-stream", "");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.error()).contains("empty");
    }

    private String engine(String type, int port, String user) {
        Api.Response r = api.post("/api/engines", Api.json("name", unique(type), "engine_type", type, "host",
                RealServers.HOST, "port", port, "username", user, "password", ""));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("engine").path("id").asString();
    }
}
