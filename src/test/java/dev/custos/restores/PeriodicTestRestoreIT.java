package dev.custos.restores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.backups.BackupFlows;
import dev.custos.support.ApiTest;
import dev.custos.support.Sql;

/**
 * With {@code custos.restores.periodic-test-restore} set, the newest backup of each database is test-restored
 * without anyone asking, once. A service of its own (catalog and storage), so its timer sees only its backups.
 */
@TestPropertySource(properties = {"custos.restores.periodic-test-restore=1s",
        "custos.catalog.url=jdbc:sqlite:${java.io.tmpdir}/custos-it-periodic-${random.uuid}.db",
        "custos.storage.local.path=${java.io.tmpdir}/custos-it-periodic-${random.uuid}"})
class PeriodicTestRestoreIT extends ApiTest {

    @Test
    void theNewestBackupOfADatabaseIsProvenRestorableOnItsOwn() throws Exception {
        Path file = Files.createTempDirectory("custos-periodic-").resolve("notes.sqlite");
        Sql.sqlite(file.toString(), "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT)",
                "INSERT INTO notes (body) VALUES ('a'), ('b')");
        String databaseId = BackupFlows.registerSqlite(api, unique("notes"), file, "zstd");
        String first = BackupFlows.trigger(api, databaseId);
        BackupFlows.completed(api, first);
        String newest = BackupFlows.trigger(api, databaseId);
        BackupFlows.completed(api, newest);

        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> "passed".equals(BackupFlows.backup(api, newest).path("verification_status").asString()));

        JsonNode backup = BackupFlows.backup(api, newest);
        assertThat(backup.path("verification_kind").asString()).isEqualTo("test_restore");
        assertThat(backup.path("verification_details").path("compared").asBoolean()).isTrue();
        JsonNode runs = api.get("/api/restores?restore_type=test_restore&backup_id=" + newest).json();
        assertThat(runs.path("restores").path(0).path("triggered_by").asString()).isEqualTo("scheduler");
        // Once proven, a backup is not tested again at every tick: no burst of test restores.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> api.get(
                "/api/restores?restore_type=test_restore&backup_id=" + newest).json().path("total_count").asInt() == 1);
    }
}
