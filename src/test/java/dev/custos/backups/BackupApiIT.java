package dev.custos.backups;

import static dev.custos.backups.BackupFlows.completed;
import static dev.custos.backups.BackupFlows.fetch;
import static dev.custos.backups.BackupFlows.trigger;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import dev.custos.engines.RealServers;
import dev.custos.pipeline.ArtifactPipeline;
import dev.custos.pipeline.Manifest;
import dev.custos.pipeline.ManifestCodec;
import dev.custos.storage.StorageBackend;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.Sql;

/**
 * Backups of the real servers through the API, checked as a user would: the downloaded file restores with the
 * engine's own tools into data equal to the source, and its size and SHA-256 are the ones the history reports.
 */
class BackupApiIT extends ApiTest {

    @Autowired
    ArtifactPipeline pipeline;
    @Autowired
    ManifestCodec manifests;
    @Autowired
    StorageBackend storage;

    private static final RealServers servers = new RealServers();

    @AfterAll
    static void drop() {
        servers.dropAll();
    }

    @Test
    void postgresBackupRestoresWithPgRestoreIntoEqualData() throws Exception {
        String source = servers.postgresDatabase();
        Sql.postgres(source,
                "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, payload bytea, at timestamptz)",
                "INSERT INTO items (name, payload, at) SELECT 'item ' || g, decode(md5(g::text), 'hex'),"
                        + " '2024-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 5000) g",
                "CREATE VIEW named AS SELECT name FROM items WHERE id % 2 = 0",
                "CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS 'SELECT 2 * x'");
        String id = BackupFlows.registerPostgres(api, unique("pg"), source, "zstd");

        String backupId = trigger(api, id);
        JsonNode backup = completed(api, backupId);

        assertThat(backup.get("database_type").stringValue()).isEqualTo("postgresql");
        assertThat(backup.get("triggered_by").stringValue()).isEqualTo("manual");
        String blobName = backup.get("blob_name").stringValue();
        assertThat(blobName).matches("postgresql/" + id + "/\\d{8}_\\d{6}(_\\d+)?\\.dump\\.zst");
        assertThat(backup.get("file_format").stringValue()).isEqualTo("dump.zst");
        assertThat(backup.get("dump_tool").stringValue()).isEqualTo("pg_dump");
        assertThat(backup.get("server_version").stringValue()).startsWith("15");
        assertThat(backup.get("duration_seconds").doubleValue()).isGreaterThanOrEqualTo(0);

        Path stored = dataDir().resolve("backups").resolve(blobName);
        assertThat(Files.size(stored)).isEqualTo(backup.get("file_size_bytes").longValue());
        assertThat(sha256(Files.readAllBytes(stored))).isEqualTo(backup.get("checksum_sha256").stringValue());
        Path manifest = dataDir().resolve("backups").resolve(blobName + ".manifest.json");
        JsonNode m = Api.JSON.readTree(Files.readString(manifest));
        assertThat(m.get("sha256").stringValue()).isEqualTo(backup.get("checksum_sha256").stringValue());
        assertThat(m.get("engine_type").stringValue()).isEqualTo("postgresql");
        assertThat(m.get("tool").stringValue()).isEqualTo("pg_dump");
        assertThat(m.get("compression").stringValue()).isEqualTo("zstd");
        assertThat(m.get("stored_bytes").longValue()).isEqualTo(Files.size(stored));

        Path dump = BackupFlows.downloadPlain(api, blobName, Files.createTempDirectory("custos-restore"));
        String target = servers.postgresDatabase();
        BackupFlows.run(List.of("pg_restore", "-h", "127.0.0.1", "-U", "postgres", "-d", target, "--no-owner",
                dump.toString()), null);
        String query = "SELECT id, name, encode(payload, 'hex'), at FROM items ORDER BY id";
        assertThat(Sql.postgresRows(target, query)).isEqualTo(Sql.postgresRows(source, query)).hasSize(5000);
        assertThat(Sql.postgresRows(target, "SELECT twice(21), (SELECT count(*) FROM named)"))
                .containsExactly("42|2500");
        assertThat(Sql.postgresRows(target, "SELECT last_value FROM items_id_seq"))
                .isEqualTo(Sql.postgresRows(source, "SELECT last_value FROM items_id_seq"));
    }

    @Test
    void encryptedBackupIsOpaqueAndStillRestoresAfterKeyRotation() throws Exception {
        String source = servers.postgresDatabase();
        Sql.postgres(source, "CREATE TABLE secrets (id int PRIMARY KEY, note text)",
                "INSERT INTO secrets SELECT g, 'confidential note ' || g FROM generate_series(1, 2000) g");
        String id = BackupFlows.registerPostgres(api, unique("enc"), source, "zstd");
        assertThat(api.put("/api/databases/" + id, Api.json("encrypted", true)).json().get("database").get("encrypted")
                .booleanValue())
                .isTrue();

        JsonNode backup = completed(api, trigger(api, id));
        String blobName = backup.get("blob_name").stringValue();
        assertThat(blobName).endsWith(".dump.zst.enc");
        assertThat(backup.get("encrypted").booleanValue()).isTrue();
        String keyId = backup.get("encryption_key_id").stringValue();
        assertThat(keyId).startsWith("key-");
        byte[] stored = Files.readAllBytes(dataDir().resolve("backups").resolve(blobName));
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("confidential");
        assertThat(java.util.Arrays.copyOf(stored, 4)).as("not a bare zstd frame")
                .isNotEqualTo(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});

        assertThat(api.post("/api/encryption-keys/rotate", "").status()).isEqualTo(201);
        Manifest manifest = manifests.read(storage, blobName);
        assertThat(manifest.encryptionKeyId()).isEqualTo(keyId);
        Path dump = Files.createTempFile("custos-decrypted", ".dump");
        try (java.io.InputStream in = pipeline.open(storage, manifest)) {
            Files.copy(in, dump, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String target = servers.postgresDatabase();
        BackupFlows.run(List.of("pg_restore", "-h", "127.0.0.1", "-U", "postgres", "-d", target, "--no-owner",
                dump.toString()), null);
        String query = "SELECT id, note FROM secrets ORDER BY id";
        assertThat(Sql.postgresRows(target, query)).isEqualTo(Sql.postgresRows(source, query));

        JsonNode next = completed(api, trigger(api, id));
        assertThat(next.get("encryption_key_id").stringValue()).isNotEqualTo(keyId).startsWith("key-");
    }

    @Test
    void mariadbBackupRestoresWithTheMariadbClient() throws Exception {
        String source = servers.mariadbDatabase();
        Sql.mariadb(source,
                "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100), payload BLOB) ENGINE=InnoDB",
                "INSERT INTO items (name, payload) SELECT CONCAT('item ', seq), UNHEX(MD5(seq)) FROM seq_1_to_3000",
                "CREATE TRIGGER items_upper BEFORE INSERT ON items FOR EACH ROW SET NEW.name = UPPER(NEW.name)",
                "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN 2 * x",
                "CREATE TABLE legacy (id INT) ENGINE=MyISAM");
        String id = BackupFlows.registerMariadb(api, unique("maria"), source, "gzip");

        JsonNode backup = completed(api, trigger(api, id));
        String blobName = backup.get("blob_name").stringValue();
        assertThat(blobName).endsWith(".sql.gz");
        assertThat(backup.get("file_format").stringValue()).isEqualTo("sql.gz");
        assertThat(backup.get("warnings").valueStream().map(JsonNode::stringValue).toList())
                .anyMatch(w -> w.contains("legacy") && w.contains("MyISAM"));

        Path dump = BackupFlows.downloadPlain(api, blobName, Files.createTempDirectory("custos-restore"));
        String target = servers.mariadbDatabase();
        BackupFlows.run(List.of("mariadb", "-h", "127.0.0.1", "-u", "root", target), dump);
        String query = "SELECT id, name, HEX(payload) FROM items ORDER BY id";
        assertThat(Sql.mariadbRows(target, query)).isEqualTo(Sql.mariadbRows(source, query)).hasSize(3000);
        assertThat(Sql.mariadbRows(target, "SELECT twice(21)")).containsExactly("42");
        Sql.mariadb(target, "INSERT INTO items (name) VALUES ('lower')");
        assertThat(Sql.mariadbRows(target, "SELECT name FROM items WHERE name = 'LOWER'")).hasSize(1);
    }

    @Test
    void sqliteBackupIsAnOpenableCopyOfTheFile() throws Exception {
        Path file = Files.createTempDirectory("custos-sqlite").resolve("app.db");
        Sql.sqlite(file.toString(), "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000)"
                        + " INSERT INTO notes (body) SELECT 'note ' || x FROM n");
        String id = BackupFlows.registerSqlite(api, unique("lite"), file, false);

        JsonNode backup = completed(api, trigger(api, id));
        String blobName = backup.get("blob_name").stringValue();
        assertThat(blobName).endsWith(".sqlite");
        assertThat(backup.get("compression").stringValue()).isEqualTo("none");

        Path copy = BackupFlows.downloadPlain(api, blobName, Files.createTempDirectory("custos-restore"));
        assertThat(Sql.sqliteRows(copy.toString(), "PRAGMA integrity_check")).containsExactly("ok");
        String query = "SELECT id, body FROM notes ORDER BY id";
        assertThat(Sql.sqliteRows(copy.toString(), query)).isEqualTo(Sql.sqliteRows(file.toString(), query)).hasSize(2000);
    }

    @Test
    void executionLogAndAuditTellTheJobsStory() throws Exception {
        String id = sqliteDatabase("story");
        String backupId = trigger(api, id);
        JsonNode backup = completed(api, backupId);

        JsonNode logs = api.get("/api/backups/" + backupId + "/logs").json();
        List<String> messages = logs.get("logs").valueStream().map(l -> l.get("message").stringValue()).toList();
        assertThat(messages.get(0)).startsWith("Queued");
        assertThat(messages).anyMatch(m -> m.startsWith("Started on node-"));
        assertThat(messages).anyMatch(m -> m.startsWith("Stored " + backup.get("file_size_bytes").longValue() + " bytes"));
        assertThat(messages.get(messages.size() - 1)).isEqualTo("Completed");
        assertThat(logs.get("logs").get(0).get("timestamp").stringValue()).endsWith("Z");

        List<String> actions = Sql.sqliteRows(dataDir().resolve("custos.db").toString(),
                "SELECT action FROM audit_events WHERE resource_id = '" + backupId + "' ORDER BY occurred_at, rowid");
        assertThat(actions).containsExactly("backup_triggered", "backup_started", "backup_completed");
        List<String> triggered = Sql.sqliteRows(dataDir().resolve("custos.db").toString(),
                "SELECT json_extract(details, '$.database_id') || '|' || json_extract(details, '$.triggered_by')"
                        + " FROM audit_events WHERE resource_id = '" + backupId + "' AND action = 'backup_triggered'");
        assertThat(triggered).containsExactly(id + "|manual");
    }

    @Test
    void historyFiltersAndPages() throws Exception {
        String id = sqliteDatabase("history");
        completed(api, trigger(api, id));
        completed(api, trigger(api, id));

        JsonNode page = api.get("/api/backups?database_id=" + id + "&page_size=1").json();
        assertThat(page.get("count").intValue()).isEqualTo(1);
        assertThat(page.get("total_count").longValue()).isEqualTo(2);
        assertThat(page.get("page").intValue()).isEqualTo(1);
        assertThat(page.get("page_size").intValue()).isEqualTo(1);
        assertThat(page.get("has_more").booleanValue()).isTrue();
        JsonNode second = api.get("/api/backups?database_id=" + id + "&page_size=1&page=2").json();
        assertThat(second.get("has_more").booleanValue()).isFalse();
        assertThat(second.get("backups").get(0).get("id").stringValue())
                .isNotEqualTo(page.get("backups").get(0).get("id").stringValue());

        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertThat(api.get("/api/backups?database_id=" + id + "&status=completed&triggered_by=manual&database_type=sqlite"
                + "&start_date=" + today + "&end_date=" + today).json().get("total_count").longValue()).isEqualTo(2);
        assertThat(api.get("/api/backups?database_id=" + id + "&status=failed").json().get("total_count").longValue())
                .isZero();
        assertThat(api.get("/api/backups?database_id=" + id + "&end_date=2001-01-01").json().get("total_count").longValue())
                .isZero();

        assertThat(api.get("/api/backups?status=done").error()).contains("status must be one of");
        assertThat(api.get("/api/backups?page_size=101").error()).contains("page_size must be between 1 and 100");
        assertThat(api.get("/api/backups?page=0").error()).contains("page must be 1 or more");
        assertThat(api.get("/api/backups?start_date=yesterday").error()).contains("start_date must be a date");
        assertThat(api.get("/api/backups?triggered_by=cron").error()).contains("triggered_by must be one of");
        assertThat(api.get("/api/backups?database_type=oracle").error()).contains("database_type must be one of");
        assertThat(api.get("/api/backups/backup-missing").status()).isEqualTo(404);
    }

    @Test
    void filesListObjectsWithoutManifests() throws Exception {
        String id = sqliteDatabase("files");
        String blobName = completed(api, trigger(api, id)).get("blob_name").stringValue();

        JsonNode files = api.get("/api/backups/files?prefix=" + Api.encode("sqlite/" + id + "/")).json();
        assertThat(files.get("count").intValue()).isEqualTo(1);
        JsonNode file = files.get("files").get(0);
        assertThat(file.get("name").stringValue()).isEqualTo(blobName);
        assertThat(file.get("size").longValue()).isEqualTo(Files.size(dataDir().resolve("backups").resolve(blobName)));
        assertThat(file.get("content_type").stringValue()).isEqualTo("application/zstd");
        assertThat(file.get("last_modified").stringValue()).endsWith("Z");

        assertThat(api.get("/api/backups/files?limit=1").json().get("count").intValue()).isEqualTo(1);
        assertThat(api.get("/api/backups/files?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/api/backups/files?prefix=" + Api.encode("../etc/")).error()).contains("prefix");
    }

    @Test
    void signedDownloadServesRangesAndRefusesTamperedLinks() throws Exception {
        String id = sqliteDatabase("download");
        JsonNode backup = completed(api, trigger(api, id));
        String blobName = backup.get("blob_name").stringValue();
        byte[] stored = Files.readAllBytes(dataDir().resolve("backups").resolve(blobName));

        JsonNode link = api.get("/api/backups/download?blob_name=" + Api.encode(blobName) + "&expiry_hours=2").json();
        assertThat(link.get("blob_name").stringValue()).isEqualTo(blobName);
        assertThat(link.get("expires_in_hours").intValue()).isEqualTo(2);
        String url = link.get("download_url").stringValue();

        HttpResponse<byte[]> whole = fetch(url, null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(stored);
        assertThat(whole.headers().firstValue("X-Checksum-Sha256")).contains(backup.get("checksum_sha256").stringValue());

        HttpResponse<byte[]> part = fetch(url, "bytes=10-19");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(stored, 10, 20));
        assertThat(part.headers().firstValue("Content-Range")).contains("bytes 10-19/" + stored.length);
        HttpResponse<byte[]> tail = fetch(url, "bytes=-5");
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(stored, stored.length - 5, stored.length));
        assertThat(fetch(url, "bytes=" + stored.length + "-").statusCode()).isEqualTo(416);

        assertThat(fetch(url.replace("signature=", "signature=0"), null).statusCode()).isEqualTo(403);
        assertThat(fetch(url.replaceAll("expires=(\\d+)", "expires=9$1"), null).statusCode()).isEqualTo(403);
        assertThat(fetch(url.replace(Api.encode(blobName), Api.encode(blobName + "x")), null).statusCode()).isEqualTo(403);

        assertThat(api.get("/api/backups/download?blob_name=" + Api.encode(blobName) + "&expiry_hours=169").error())
                .contains("expiry_hours must be between 1 and 168");
        assertThat(api.get("/api/backups/download").error()).contains("blob_name parameter is required");
        assertThat(api.get("/api/backups/download?blob_name=" + Api.encode("sqlite/../../etc/passwd")).status())
                .isEqualTo(400);
        assertThat(api.get("/api/backups/download?blob_name=" + Api.encode("/etc/passwd")).status()).isEqualTo(400);
        assertThat(api.get("/api/backups/download?blob_name=sqlite/nothing/here.sqlite").status()).isEqualTo(404);

        List<String> audited = Sql.sqliteRows(dataDir().resolve("custos.db").toString(),
                "SELECT action || '|' || json_extract(details, '$.expiry_hours') FROM audit_events WHERE resource_id = '"
                        + backup.get("id").stringValue() + "' AND action = 'backup_downloaded'");
        assertThat(audited).containsExactly("backup_downloaded|2");
    }

    @Test
    void deleteRemovesFileManifestAndHistory() throws Exception {
        String id = sqliteDatabase("delete");
        JsonNode backup = completed(api, trigger(api, id));
        String blobName = backup.get("blob_name").stringValue();

        Api.Response deleted = api.delete("/api/backups/delete?blob_name=" + Api.encode(blobName));
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").stringValue()).isEqualTo("Backup '" + blobName + "' deleted successfully");
        assertThat(dataDir().resolve("backups").resolve(blobName)).doesNotExist();
        assertThat(dataDir().resolve("backups").resolve(blobName + ".manifest.json")).doesNotExist();
        assertThat(api.get("/api/backups/" + backup.get("id").stringValue()).status()).isEqualTo(404);
        assertThat(api.delete("/api/backups/delete?blob_name=" + Api.encode(blobName)).status()).isEqualTo(404);
        assertThat(api.delete("/api/backups/delete").error()).isEqualTo("blob_name parameter is required");
        assertThat(api.delete("/api/backups/delete?blob_name=" + Api.encode("a/../b")).status()).isEqualTo(400);

        List<String> audited = Sql.sqliteRows(dataDir().resolve("custos.db").toString(),
                "SELECT json_extract(details, '$.blob_name') || '|' || json_extract(details, '$.database_id') || '|'"
                        + " || json_extract(before_value, '$.checksum_sha256') FROM audit_events"
                        + " WHERE action = 'backup_deleted' AND resource_id = '" + backup.get("id").stringValue() + "'");
        assertThat(audited).containsExactly(blobName + "|" + id + "|" + backup.get("checksum_sha256").stringValue());
    }

    @Test
    void bulkDeleteReportsEachName() throws Exception {
        String id = sqliteDatabase("bulk");
        String first = completed(api, trigger(api, id)).get("blob_name").stringValue();
        String second = completed(api, trigger(api, id)).get("blob_name").stringValue();

        Api.Response response = api.post("/api/backups/delete-bulk",
                Api.json("blob_names", List.of(first, second, "sqlite/none/x.sqlite", "../x")));
        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("message").stringValue()).isEqualTo("Deleted 2 backup(s)");
        assertThat(body.get("deleted_count").intValue()).isEqualTo(2);
        assertThat(body.get("not_found_count").intValue()).isEqualTo(1);
        assertThat(body.get("error_count").intValue()).isEqualTo(1);
        assertThat(body.get("results").get("deleted").valueStream().map(JsonNode::stringValue).toList())
                .containsExactly(first, second);
        assertThat(body.get("results").get("not_found").get(0).stringValue()).isEqualTo("sqlite/none/x.sqlite");
        assertThat(body.get("results").get("errors").get(0).get("blob_name").stringValue()).isEqualTo("../x");
        assertThat(api.get("/api/backups?database_id=" + id).json().get("total_count").longValue()).isZero();

        assertThat(api.post("/api/backups/delete-bulk", "{}").error()).isEqualTo("blob_names array is required");
        assertThat(api.post("/api/backups/delete-bulk", Api.json("blob_names", "x")).error())
                .isEqualTo("blob_names array is required");
        assertThat(api.post("/api/backups/delete-bulk", Api.json("blob_names", List.of(1))).status()).isEqualTo(400);
    }

    @Test
    void triggerAnswersForUnknownDatabases() {
        assertThat(api.post("/api/databases/db-missing/backup", "").status()).isEqualTo(404);
    }

    private String sqliteDatabase(String name) throws Exception {
        Path file = Files.createTempDirectory("custos-sqlite").resolve(name + ".db");
        Sql.sqlite(file.toString(), "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1), (2), (3)");
        return BackupFlows.registerSqlite(api, unique(name), file, true);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
