package dev.custos.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.engines.RealServers;
import dev.custos.support.Api;
import dev.custos.support.CustosProcess;
import dev.custos.support.PostgresLock;
import dev.custos.support.Sql;

/**
 * {@code kill -9} of Custos while pg_dump is mid-dump: after the restart the job is failed with the reason, nothing
 * it wrote is left in storage, and the next backup of the same database works.
 */
class KilledMidBackupIT {

    private static final RealServers servers = new RealServers();

    @AfterAll
    static void drop() {
        servers.dropAll();
    }

    @Test
    void restartFailsTheOrphanedJobAndRemovesItsPartialObject() throws Exception {
        Path dataDir = Files.createTempDirectory("custos-kill");
        String source = servers.postgresDatabase();
        Sql.postgres(source, "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, repeat(md5(g::text), 10) FROM generate_series(1, 20000) g",
                "CREATE TABLE later (id int)");
        String databaseId;
        String backupId;
        try (PostgresLock lock = new PostgresLock(source, "later")) {
            CustosProcess first = CustosProcess.start(dataDir, List.of("-Xmx256m"));
            try {
                Api api = first.api();
                databaseId = BackupFlows.registerPostgres(api, "killed", source, "none");
                backupId = BackupFlows.trigger(api, databaseId);
                await().atMost(Duration.ofMinutes(1)).until(() -> PostgresLock.dumpIsWaiting(source));
                assertThat(BackupFlows.backup(api, backupId).get("status").stringValue()).isEqualTo("in_progress");
            } finally {
                first.kill();
            }
        }
        // The orphaned pg_dump loses its stdout reader and exits; give it no say in the result.
        try (CustosProcess second = CustosProcess.start(dataDir, List.of("-Xmx256m"))) {
            Api api = second.api();
            JsonNode failed = BackupFlows.backup(api, backupId);
            assertThat(failed.get("status").stringValue()).isEqualTo("failed");
            assertThat(failed.get("error_message").stringValue()).contains("Custos stopped while the backup was running");
            Path dir = dataDir.resolve("backups");
            try (Stream<Path> files = Files.walk(dir)) {
                assertThat(files.filter(Files::isRegularFile).map(Path::toString)
                        .filter(f -> f.contains(databaseId) || f.contains(".tmp")).toList()).isEmpty();
            }
            List<String> audit = Sql.sqliteRows(dataDir.resolve("custos.db").toString(),
                    "SELECT action || '|' || status FROM audit_events WHERE resource_id = '" + backupId + "' ORDER BY occurred_at");
            assertThat(audit).containsExactly("backup_triggered|success", "backup_started|success", "backup_failed|failed");

            JsonNode next = BackupFlows.completed(api, BackupFlows.trigger(api, databaseId));
            assertThat(next.get("file_size_bytes").longValue()).isPositive();
        }
    }
}
