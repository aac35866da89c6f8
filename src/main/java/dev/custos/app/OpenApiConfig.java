package dev.custos.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The header of {@code /api/openapi.json}: title, the build's version, and one tag per feature. Operations are
 * tagged by path prefix here rather than by annotations on every controller, so a new endpoint under a
 * feature's path lands in its section without anyone remembering to tag it.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    /** Path prefix → tag, in the order the document lists the tags; the longest matching prefix tags a path. */
    private static final Map<String, Tag> TAGS = new LinkedHashMap<>();
    private static final String BACKUPS = "Backup jobs and their history, logs, files, download links and deletion";
    private static final String RESTORES = "Restores, test restores and verifications: queue, history, logs, cancel, rollback";

    static {
        tag("/api/engines", "Engines", "Database servers: credentials, connection tests, discovery and import");
        tag("/api/databases", "Databases", "Databases to back up: connection, policy, compression, tags");
        // A backup trigger lives under /api/databases but belongs to Backups.
        tag("/api/databases/{id}/backup", "Backups", BACKUPS);
        tag("/api/backups/{id}/restore", "Restores", RESTORES);
        tag("/api/backups/{id}/verify", "Restores", RESTORES);
        tag("/api/restores", "Restores", RESTORES);
        tag("/api/backup-policies", "Backup policies", "GFS schedules and retention, hourly to yearly");
        String schedules = "Scheduled runs, overdue databases, retention previews, pruning and its history";
        tag("/api/schedules", "Schedules", schedules);
        tag("/api/cleanup-history", "Schedules", schedules);
        tag("/api/databases/{id}/retention-preview", "Schedules", schedules);
        tag("/api/databases/{id}/retention", "Schedules", schedules);
        tag("/api/backups", "Backups", BACKUPS);
        tag("/api/encryption-keys", "Encryption keys", "Keys that encrypt backups: list and rotate, never shown");
        tag("/api/settings", "Settings", "Application-wide defaults");
        tag("/api/users", "Users", "Who may sign in, with which role (admin, operator, viewer); who am I");
        String security = "API keys for scripts (scopes, expiry, rotation, usage log) and the security events of"
                + " refused sign-ins and requests";
        tag("/api/api-keys", "Security", security);
        tag("/api/security-events", "Security", security);
        tag("/api/role-grants", "Users", "Who may sign in, with which role (admin, operator, viewer); who am I");
        tag("/api/access-requests", "Users", "Who may sign in, with which role (admin, operator, viewer); who am I");
        tag("/api/audit", "Audit", "The audit trail: queries, resource history, verification of the hash chain, export");
        tag("/api/system-status", "System", "Health of the service, its storage and its catalog");
        tag("/api/health", "System", "Health of the service, its storage and its catalog");
    }

    private static void tag(String prefix, String name, String description) {
        TAGS.put(prefix, new Tag().name(name).description(description));
    }

    @Bean
    OpenAPI custosOpenApi(ObjectProvider<BuildProperties> build) {
        BuildProperties props = build.getIfAvailable();
        return new OpenAPI()
                .info(new Info()
                        .title("Custos API")
                        .version(props == null ? "unknown" : props.getVersion())
                        .description("""
                                Self-hosted database backups: register servers and databases, give them GFS \
                                backup policies, back them up (streamed, compressed, optionally encrypted, checksummed), download and \
                                delete backups, and watch the system's status. JSON in snake_case; every error \
                                is {"error": "..."} with a 4xx status naming the bad field, 404 for unknown ids \
                                and 409 for duplicate names."""))
                .tags(TAGS.values().stream().distinct().toList())
                // Every operation but health and signed download links needs a user, unless CUSTOS_AUTH=none.
                .components(new Components().addSecuritySchemes("basic",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")))
                .addSecurityItem(new SecurityRequirement().addList("basic"));
    }

    @Bean
    OpenApiCustomizer tagOperationsByFeature() {
        return openApi -> openApi.getPaths().forEach((path, item) -> TAGS.entrySet().stream()
                .filter(e -> path.equals(e.getKey()) || path.startsWith(e.getKey() + "/"))
                .max(java.util.Comparator.comparingInt(e -> e.getKey().length()))
                .ifPresent(e -> item.readOperations().forEach(op -> op.setTags(List.of(e.getValue().getName())))));
    }
}
