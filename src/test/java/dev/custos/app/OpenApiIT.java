package dev.custos.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.custos.support.Api;
import dev.custos.support.ApiTest;

/** {@code GET /api/openapi.json} documents every endpoint the app serves, under Custos's own title. */
class OpenApiIT extends ApiTest {

    /** Every path and method the app serves: the same list HostileInputIT drives. */
    private static final Map<String, List<String>> SERVED = Map.ofEntries(
            Map.entry("/api/engines", List.of("get", "post")),
            Map.entry("/api/engines/{id}", List.of("get", "put", "delete")),
            Map.entry("/api/engines/{id}/test", List.of("post")),
            Map.entry("/api/engines/{id}/discover", List.of("post")),
            Map.entry("/api/databases", List.of("get", "post")),
            Map.entry("/api/databases/{id}", List.of("get", "put", "delete")),
            Map.entry("/api/databases/test-connection", List.of("post")),
            Map.entry("/api/backup-policies", List.of("get", "post")),
            Map.entry("/api/backup-policies/{id}", List.of("get", "put", "delete")),
            Map.entry("/api/databases/{id}/backup", List.of("post")),
            Map.entry("/api/backups", List.of("get")),
            Map.entry("/api/backups/{id}", List.of("get")),
            Map.entry("/api/backups/{id}/logs", List.of("get")),
            Map.entry("/api/backups/{id}/cancel", List.of("post")),
            Map.entry("/api/backups/{id}/lock", List.of("post")),
            Map.entry("/api/backups/{id}/unlock", List.of("post")),
            Map.entry("/api/schedules", List.of("get")),
            Map.entry("/api/cleanup-history", List.of("get")),
            Map.entry("/api/databases/{id}/retention-preview", List.of("get", "post")),
            Map.entry("/api/databases/{id}/retention/apply", List.of("post")),
            Map.entry("/api/backups/files", List.of("get")),
            Map.entry("/api/backups/download", List.of("get")),
            Map.entry("/api/backups/download/file", List.of("get")),
            Map.entry("/api/backups/delete", List.of("delete")),
            Map.entry("/api/backups/delete-bulk", List.of("post")),
            Map.entry("/api/backups/{id}/restore", List.of("post")),
            Map.entry("/api/backups/{id}/verify", List.of("post")),
            Map.entry("/api/restores", List.of("get")),
            Map.entry("/api/restores/{id}", List.of("get")),
            Map.entry("/api/restores/{id}/logs", List.of("get")),
            Map.entry("/api/restores/{id}/cancel", List.of("post")),
            Map.entry("/api/restores/{id}/rollback", List.of("post")),
            Map.entry("/api/restores/upload", List.of("post")),
            Map.entry("/api/encryption-keys", List.of("get")),
            Map.entry("/api/encryption-keys/rotate", List.of("post")),
            Map.entry("/api/settings", List.of("get", "put")),
            Map.entry("/api/users", List.of("get", "post")),
            Map.entry("/api/users/me", List.of("get")),
            Map.entry("/api/users/{id}", List.of("get", "put", "delete")),
            Map.entry("/api/users/{id}/grants", List.of("get", "put")),
            Map.entry("/api/api-keys", List.of("get", "post")),
            Map.entry("/api/api-keys/{id}", List.of("get", "delete")),
            Map.entry("/api/api-keys/{id}/rotate", List.of("post")),
            Map.entry("/api/api-keys/{id}/usage", List.of("get")),
            Map.entry("/api/security-events", List.of("get")),
            Map.entry("/api/access-requests", List.of("get", "post")),
            Map.entry("/api/access-requests/{id}", List.of("get")),
            Map.entry("/api/access-requests/{id}/approve", List.of("post")),
            Map.entry("/api/access-requests/{id}/reject", List.of("post")),
            Map.entry("/api/role-grants", List.of("get")),
            Map.entry("/api/role-grants/{subject}", List.of("delete")),
            Map.entry("/api/security-events/summary", List.of("get")),
            Map.entry("/api/audit", List.of("get")),
            Map.entry("/api/audit/{id}", List.of("get")),
            Map.entry("/api/audit/actions", List.of("get")),
            Map.entry("/api/audit/resource-types", List.of("get")),
            Map.entry("/api/audit/history", List.of("get")),
            Map.entry("/api/audit/recent", List.of("get")),
            Map.entry("/api/audit/by-action", List.of("get")),
            Map.entry("/api/audit/time-range", List.of("get")),
            Map.entry("/api/audit/verify", List.of("get")),
            Map.entry("/api/audit/public-key", List.of("get")),
            Map.entry("/api/audit/checkpoints", List.of("get")),
            Map.entry("/api/audit/export", List.of("get")),
            Map.entry("/api/audit/deletions", List.of("get")),
            Map.entry("/api/audit/requests", List.of("get")),
            Map.entry("/api/audit/archive", List.of("post")),
            Map.entry("/api/system-status", List.of("get")),
            Map.entry("/api/health", List.of("get")));

    @Test
    void theDocumentIsJsonWithCustosTitleAndTheBuildVersion() {
        Api.Response r = api.get("/api/openapi.json");

        assertThat(r.status()).isEqualTo(200);
        JsonNode info = r.json().path("info");
        assertThat(r.json().path("openapi").asString()).startsWith("3.");
        assertThat(info.path("title").asString()).isEqualTo("Custos API");
        assertThat(info.path("version").asString()).isEqualTo(api.get("/api/health").json().path("version").asString());
        assertThat(info.path("description").asString()).contains("backup");
    }

    @Test
    void everyServedPathAndMethodIsDocumented() {
        JsonNode paths = api.get("/api/openapi.json").json().path("paths");

        assertThat(paths.propertyNames()).containsExactlyInAnyOrderElementsOf(SERVED.keySet());
        SERVED.forEach((path, methods) ->
                assertThat(paths.path(path).propertyNames()).as(path).containsExactlyInAnyOrderElementsOf(methods));
    }

    @Test
    void everyOperationIsFiledUnderItsFeature() {
        JsonNode document = api.get("/api/openapi.json").json();
        Map<String, String> featureOf = Map.ofEntries(Map.entry("/api/engines", "Engines"),
                Map.entry("/api/databases", "Databases"), Map.entry("/api/databases/{id}/backup", "Backups"),
                Map.entry("/api/backups", "Backups"), Map.entry("/api/backups/{id}/restore", "Restores"),
                Map.entry("/api/backups/{id}/verify", "Restores"), Map.entry("/api/restores", "Restores"),
                Map.entry("/api/backup-policies", "Backup policies"), Map.entry("/api/encryption-keys", "Encryption keys"),
                Map.entry("/api/schedules", "Schedules"), Map.entry("/api/cleanup-history", "Schedules"),
                Map.entry("/api/databases/{id}/retention-preview", "Schedules"),
                Map.entry("/api/databases/{id}/retention", "Schedules"),
                Map.entry("/api/settings", "Settings"), Map.entry("/api/users", "Users"), Map.entry("/api/audit", "Audit"),
                Map.entry("/api/access-requests", "Users"), Map.entry("/api/role-grants", "Users"), Map.entry("/api/api-keys", "Security"), Map.entry("/api/security-events", "Security"),
                Map.entry("/api/system-status", "System"),
                Map.entry("/api/health", "System"));

        assertThat(document.path("tags").valueStream().map(t -> t.path("name").asString())).containsExactly(
                "Engines", "Databases", "Backups", "Restores", "Backup policies", "Schedules", "Encryption keys", "Settings",
                "Users", "Security", "Audit",
                "System");
        document.path("paths").properties().forEach(path -> {
            // The longest matching prefix decides: a backup trigger under /api/databases is filed under Backups.
            String feature = featureOf.entrySet().stream()
                    .filter(f -> path.getKey().equals(f.getKey()) || path.getKey().startsWith(f.getKey() + "/"))
                    .max(java.util.Comparator.comparingInt(f -> f.getKey().length()))
                    .map(Map.Entry::getValue).orElseThrow();
            path.getValue().properties().forEach(operation -> assertThat(
                    operation.getValue().path("tags").valueStream().map(JsonNode::asString))
                    .as(operation.getKey() + " " + path.getKey()).containsExactly(feature));
        });
    }
}
