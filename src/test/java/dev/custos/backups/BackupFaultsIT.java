package dev.custos.backups;

import static dev.custos.backups.BackupFlows.awaitFinal;
import static dev.custos.backups.BackupFlows.completed;
import static dev.custos.backups.BackupFlows.trigger;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.engines.RealServers;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.PostgresLock;
import dev.custos.support.Sql;

/**
 * Backups that go wrong, against the real servers and the real pg_dump: each ends with the right status and the
 * tool's own words, leaves nothing in storage that looks like a backup, and does not stop the next backup.
 * A pg_dump is held "mid-dump" by a table lock it waits for, so no test depends on timing.
 */
class BackupFaultsIT extends ApiTest {

    private static final RealServers servers = new RealServers();

    @AfterAll
    static void drop() {
        servers.dropAll();
    }

    @Test
    void cancelMidDumpKillsPgDumpAndStoresNothing() throws Exception {
        String source = lockableDatabase();
        String id = BackupFlows.registerPostgres(api, unique("cancel"), source, true);
        String backupId;
        try (PostgresLock lock = new PostgresLock(source, "items")) {
            backupId = trigger(api, id);
            await().atMost(Duration.ofMinutes(1)).until(() -> PostgresLock.dumpIsWaiting(source));
            assertThat(BackupFlows.backup(api, backupId).get("status").stringValue()).isEqualTo("in_progress");

            Api.Response cancel = api.post("/api/backups/" + backupId + "/cancel", "");
            assertThat(cancel.status()).as(cancel.toString()).isIn(200, 202);
            JsonNode ended = awaitFinal(api, backupId);
            assertThat(ended.get("status").stringValue()).isEqualTo("cancelled");
            assertThat(ended.get("error_message").stringValue()).contains("cancelled");
            // The server's session waits on for the lock (it cannot notice its client died), but pg_dump is gone.
            assertThat(pgDumpProcessesFor(source)).isEmpty();
        }
        assertNothingStoredFor("postgresql", id);
        assertThat(api.post("/api/backups/" + backupId + "/cancel", "").status()).isEqualTo(409);
        completed(api, trigger(api, id));
    }

    @Test
    void onlyOneOfSimultaneousTriggersIsQueued() throws Exception {
        String source = lockableDatabase();
        String id = BackupFlows.registerPostgres(api, unique("twice"), source, true);
        try (PostgresLock lock = new PostgresLock(source, "items")) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Callable<Api.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(() -> api.post("/api/databases/" + id + "/backup", ""));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Api.Response> f : pool.invokeAll(calls)) {
                statuses.add(f.get().status());
                if (f.get().status() == 409) {
                    assertThat(f.get().error()).contains("already queued or running");
                }
            }
            pool.shutdown();
            assertThat(statuses).containsOnly(202, 409).filteredOn(s -> s == 202).hasSize(1);
            await().atMost(Duration.ofMinutes(1)).until(() -> PostgresLock.dumpIsWaiting(source));
            assertThat(api.post("/api/databases/" + id + "/backup", "").status()).isEqualTo(409);
            assertThat(api.delete("/api/databases/" + id).status()).isEqualTo(409);
        }
        await().atMost(Duration.ofMinutes(1)).until(() -> api.get("/api/backups?database_id=" + id + "&status=completed")
                .json().get("total_count").longValue() == 1);
        assertThat(api.get("/api/backups?database_id=" + id).json().get("total_count").longValue()).isEqualTo(1);
    }

    @Test
    void databaseDroppedMidDumpFailsWithTheToolsMessage() throws Exception {
        String source = lockableDatabase();
        String id = BackupFlows.registerPostgres(api, unique("dropped"), source, true);
        PostgresLock lock = new PostgresLock(source, "items");
        String backupId = trigger(api, id);
        await().atMost(Duration.ofMinutes(1)).until(() -> PostgresLock.dumpIsWaiting(source));
        Sql.postgres("postgres", "DROP DATABASE " + source + " WITH (FORCE)");
        lock.close();

        JsonNode failed = awaitFinal(api, backupId);
        assertThat(failed.get("status").stringValue()).isEqualTo("failed");
        assertThat(failed.get("error_message").stringValue()).contains("pg_dump").contains("terminat");
        assertNothingStoredFor("postgresql", id);
        List<String> logs = api.get("/api/backups/" + backupId + "/logs").json().get("logs").valueStream()
                .map(l -> l.get("level").stringValue() + " " + l.get("message").stringValue()).toList();
        assertThat(logs.get(logs.size() - 1)).startsWith("error ").contains("pg_dump");

        // The database is gone: the next backup fails too, before dumping anything, and says why.
        JsonNode again = awaitFinal(api, trigger(api, id));
        assertThat(again.get("status").stringValue()).isEqualTo("failed");
        assertThat(again.get("error_message").stringValue()).contains("does not exist");
    }

    @Test
    void serverConnectionLostMidDumpFails() throws Exception {
        String source = lockableDatabase();
        String id = BackupFlows.registerPostgres(api, unique("lost"), source, true);
        String backupId;
        try (PostgresLock lock = new PostgresLock(source, "items")) {
            backupId = trigger(api, id);
            await().atMost(Duration.ofMinutes(1)).until(() -> PostgresLock.dumpIsWaiting(source));
            Sql.postgresRows("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                    + source + "' AND application_name = 'custos backup'");
            JsonNode failed = awaitFinal(api, backupId);
            assertThat(failed.get("status").stringValue()).isEqualTo("failed");
            assertThat(failed.get("error_message").stringValue()).contains("pg_dump").contains("terminat");
        }
        assertNothingStoredFor("postgresql", id);
        completed(api, trigger(api, id));
    }

    @Test
    void wrongPasswordFailsWithTheServersAnswer() throws Exception {
        String source = servers.mariadbDatabase();
        servers.mariadbUser("custos_fault", "right-password", source);
        Api.Response created = api.post("/api/databases", Api.json("name", unique("wrongpw"), "database_type", "mysql",
                "host", "127.0.0.1", "port", 3306, "database_name", source, "username", "custos_fault",
                "password", "wrong-password-123"));
        String id = created.json().get("database").get("id").stringValue();

        JsonNode failed = awaitFinal(api, trigger(api, id));
        assertThat(failed.get("status").stringValue()).isEqualTo("failed");
        assertThat(failed.get("error_message").stringValue()).contains("Access denied").doesNotContain("wrong-password-123");
        assertThat(failed.get("blob_name").isNull()).as("a failed backup has no file").isTrue();
        assertNothingStoredFor("mysql", id);

        assertThat(api.put("/api/databases/" + id, Api.json("password", "right-password")).status()).isEqualTo(200);
        completed(api, trigger(api, id));
    }

    private static String lockableDatabase() {
        String source = servers.postgresDatabase();
        Sql.postgres(source, "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g");
        return source;
    }

    /** Neither an object, a manifest nor a temporary file of the database's backups is left in storage. */
    private static void assertNothingStoredFor(String type, String databaseId) throws IOException {
        Path dir = dataDir().resolve("backups").resolve(type).resolve(databaseId);
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
            }
        }
    }

    private static List<ProcessHandle> pgDumpProcessesFor(String database) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("pg_dump") && c.contains(database)).orElse(false))
                .toList();
    }
}
