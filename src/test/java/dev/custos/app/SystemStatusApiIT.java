package dev.custos.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/** {@code GET /api/system-status}: the spec's shape per {@code include}, real storage, counts from the catalog. */
class SystemStatusApiIT extends ApiTest {

    @Test
    void allIsTheDefaultAndHasEverySection() {
        Api.Response r = api.get("/api/system-status");

        assertThat(r.status()).isEqualTo(200);
        JsonNode status = r.json();
        assertThat(status.propertyNames()).containsExactly("status", "timestamp", "services", "storage", "backups", "restorability");
        assertThat(status.path("status").asString()).isEqualTo("healthy");
        assertThat(status.path("timestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(status.path("services").propertyNames()).containsExactly("api", "storage", "databases", "schedules");
        assertThat(api.get("/api/system-status?include=all").json().propertyNames())
                .containsExactlyElementsOf(status.propertyNames());
    }

    @Test
    void aProcessThatDoesNotRunSchedulesSaysSo() {
        // The shared test service runs with custos.schedules.enabled=false (src/test/resources/config).
        JsonNode service = api.get("/api/system-status?include=schedules").json().path("services").path("schedules");

        assertThat(service.path("scheduling_enabled").isBoolean()).isTrue();
        assertThat(service.path("scheduling_enabled").booleanValue()).isFalse();
        assertThat(service.path("message").asString()).contains("does not run schedules", "custos.schedules.enabled=false");
        assertThat(api.get("/api/schedules").json().path("scheduling_enabled").booleanValue()).isFalse();
    }

    @Test
    void theApiReportsItselfRunning() {
        JsonNode service = api.get("/api/system-status").json().path("services").path("api");

        assertThat(service.path("status").asString()).isEqualTo("healthy");
        assertThat(service.path("message").asString()).isEqualTo("API is running");
    }

    @Test
    void storageIsProbedAndItsUsageCounted() {
        JsonNode status = api.get("/api/system-status?include=storage").json();

        JsonNode service = status.path("services").path("storage");
        assertThat(service.path("status").asString()).isEqualTo("healthy");
        assertThat(service.path("message").asString()).isEqualTo("Storage is accessible");
        assertThat(service.path("free_bytes").asLong()).isPositive();
        JsonNode usage = status.path("storage");
        assertThat(usage.path("total_size_bytes").isIntegralNumber()).isTrue();
        assertThat(usage.path("total_size_formatted").asString()).matches("\\d+\\.\\d (B|KB|MB|GB|TB|PB)");
        assertThat(usage.path("backup_count").isIntegralNumber()).isTrue();
    }

    @Test
    void includeStorageShowsOnlyStorage() {
        JsonNode status = api.get("/api/system-status?include=storage").json();

        assertThat(status.propertyNames()).containsExactly("status", "timestamp", "services", "storage");
        assertThat(status.path("services").propertyNames()).containsExactly("api", "storage");
    }

    @Test
    void includeDatabasesShowsOnlyTheDatabaseCounts() {
        JsonNode status = api.get("/api/system-status?include=databases").json();

        assertThat(status.propertyNames()).containsExactly("status", "timestamp", "services");
        assertThat(status.path("services").propertyNames()).containsExactly("api", "databases");
        JsonNode databases = status.path("services").path("databases");
        assertThat(databases.path("status").asString()).isEqualTo("healthy");
        assertThat(databases.path("message").asString())
                .isEqualTo(databases.path("total").asLong() + " database" + (databases.path("total").asLong() == 1 ? "" : "s")
                        + " configured");
        assertThat(databases.path("enabled").asLong()).isBetween(0L, databases.path("total").asLong());
    }

    @Test
    void includeBackupsShowsOnlyTheBackupCounts() {
        JsonNode status = api.get("/api/system-status?include=backups").json();

        assertThat(status.propertyNames()).containsExactly("status", "timestamp", "services", "backups");
        assertThat(status.path("services").propertyNames()).containsExactly("api");
        JsonNode backups = status.path("backups");
        assertThat(backups.propertyNames()).containsExactly("completed", "failed", "success_rate");
        assertThat(backups.path("completed").isIntegralNumber()).isTrue();
        assertThat(backups.path("failed").isIntegralNumber()).isTrue();
    }

    @Test
    void databaseCountsFollowCreatingAndDisabling() {
        long total = databases().path("total").asLong();
        long enabled = databases().path("enabled").asLong();

        String id = createDatabase(unique("status-db"));
        assertThat(databases().path("total").asLong()).isEqualTo(total + 1);
        assertThat(databases().path("enabled").asLong()).isEqualTo(enabled + 1);

        assertThat(api.put("/api/databases/" + id, Api.json("enabled", false)).status()).isEqualTo(200);
        assertThat(databases().path("total").asLong()).isEqualTo(total + 1);
        assertThat(databases().path("enabled").asLong()).isEqualTo(enabled);

        assertThat(api.delete("/api/databases/" + id).status()).isEqualTo(200);
        assertThat(databases().path("total").asLong()).isEqualTo(total);
    }

    @Test
    void anUnknownIncludeIsRefusedWithTheAllowedValues() {
        Api.Response r = api.get("/api/system-status?include=bogus");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).isEqualTo("include must be one of all, storage, databases, backups, restores, schedules (got 'bogus')");
    }

    private JsonNode databases() {
        return api.get("/api/system-status?include=databases").json().path("services").path("databases");
    }

    private String createDatabase(String name) {
        Api.Response r = api.post("/api/databases", Api.json("name", name, "database_type", "sqlite",
                "database_name", dataDir().resolve(name + ".db").toString()));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("database").path("id").asString();
    }
}
