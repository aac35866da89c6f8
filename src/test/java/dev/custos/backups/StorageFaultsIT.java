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
import java.util.stream.Stream;

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

import dev.custos.catalog.CustosProperties;
import dev.custos.engines.RealServers;
import dev.custos.storage.FaultyStorage;
import dev.custos.storage.LocalStorageBackend;
import dev.custos.support.ApiTest;
import dev.custos.support.Sql;

/**
 * Storage that fails or stalls under a running backup, through a fault-injecting decorator around the real local
 * store. A service of its own (own catalog and storage), so no other test's backups pass through the faults.
 */
@Import(StorageFaultsIT.Faults.class)
class StorageFaultsIT extends ApiTest {

    private static final Path OWN_DIR = ownDir();
    private static final RealServers servers = new RealServers();

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
    }

    @Autowired
    FaultyStorage storage;

    @AfterEach
    void heal() {
        storage.heal();
    }

    @AfterAll
    static void drop() {
        servers.dropAll();
    }

    @Test
    void storageFullMidWriteFailsWithTheReasonAndLeavesNothing() throws Exception {
        String id = BackupFlows.registerPostgres(api, unique("full"), filledDatabase(), "none");
        storage.failWritesAfter(256 * 1024);

        JsonNode failed = awaitFinal(api, trigger(api, id));

        assertThat(failed.get("status").stringValue()).isEqualTo("failed");
        assertThat(failed.get("error_message").stringValue()).contains("No space left on device");
        assertThat(failed.get("file_size_bytes").isNull()).isTrue();
        assertThat(filesOf("postgresql", id)).isEmpty();

        storage.heal();
        JsonNode next = completed(api, trigger(api, id));
        assertThat(filesOf("postgresql", id)).hasSize(1);
        assertThat(Files.size(OWN_DIR.resolve("backups").resolve(next.get("blob_name").stringValue())))
                .isEqualTo(next.get("file_size_bytes").longValue());
    }

    @Test
    void progressIsVisibleWhileTheBackupRuns() throws Exception {
        String id = BackupFlows.registerPostgres(api, unique("progress"), filledDatabase(), "none");
        FaultyStorage.Gate gate = storage.holdWritesAfter(1024 * 1024);
        String backupId = trigger(api, id);
        try {
            assertThat(gate.awaitHeld(Duration.ofMinutes(1))).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> BackupFlows.backup(api, backupId).get("bytes_written")
                    .longValue() > 0);
            JsonNode running = BackupFlows.backup(api, backupId);
            assertThat(running.get("status").stringValue()).isEqualTo("in_progress");
            assertThat(running.get("heartbeat_at").stringValue()).endsWith("Z");
            assertThat(running.get("completed_at").isNull()).isTrue();
            assertThat(filesOf("postgresql", id)).as("only a hidden temporary file exists mid-write")
                    .allMatch(f -> f.getFileName().toString().startsWith(".tmp-"));
        } finally {
            gate.open();
        }
        JsonNode done = completed(api, backupId);
        assertThat(done.get("bytes_written").longValue()).isEqualTo(done.get("raw_size_bytes").longValue());
    }

    /** A database whose uncompressed dump is several megabytes. */
    private static String filledDatabase() {
        String source = servers.postgresDatabase();
        Sql.postgres(source, "CREATE TABLE items (id int PRIMARY KEY, body text)",
                "INSERT INTO items SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 40000) g");
        return source;
    }

    private static java.util.List<Path> filesOf(String type, String databaseId) throws IOException {
        Path dir = OWN_DIR.resolve("backups").resolve(type).resolve(databaseId);
        if (!Files.exists(dir)) {
            return java.util.List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".manifest.json")).toList();
        }
    }

    private static Path ownDir() {
        try {
            return Files.createTempDirectory("custos-storage-faults");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
