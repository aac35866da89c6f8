package dev.custos.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.support.ApiTest;

/**
 * Backup storage that cannot be written: its directory would lie under a regular file, which no permission
 * (not even root's) lets anyone create. Custos still starts and its status says so.
 */
class UnwritableStorageApiIT extends ApiTest {

    private static final Path BLOCKER = createFile();

    @DynamicPropertySource
    static void unwritableStorage(DynamicPropertyRegistry registry) {
        registry.add("custos.storage.local.path", () -> BLOCKER.resolve("backups").toString());
        // A catalog of its own: this is a second running service beside the shared one.
        registry.add("custos.catalog.url", () -> "jdbc:sqlite:" + BLOCKER.resolveSibling(BLOCKER.getFileName() + ".db"));
    }

    @Test
    void storageIsReportedUnhealthyWithItsPath() {
        JsonNode status = api.get("/api/system-status?include=storage").json();

        JsonNode storage = status.path("services").path("storage");
        assertThat(storage.path("status").asString()).isEqualTo("unhealthy");
        assertThat(storage.path("message").asString()).contains(BLOCKER.resolve("backups").toString(), "not writable");
        assertThat(status.path("status").asString()).isEqualTo("unhealthy");
    }

    @Test
    void theRestOfTheApiStillAnswers() {
        assertThat(api.get("/api/health").json().path("status").asString()).isEqualTo("healthy");
        assertThat(api.get("/api/system-status?include=databases").json().path("status").asString()).isEqualTo("healthy");
        assertThat(api.get("/api/backup-policies/production-standard").status()).isEqualTo(200);
    }

    private static Path createFile() {
        try {
            return Files.createTempFile("custos-storage-blocker-", ".file");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
