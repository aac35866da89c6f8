package dev.custos.databases;

import java.time.Instant;
import java.util.Map;

/**
 * A database configuration as the API shows it. {@code username} and {@code has_password} are the effective
 * credentials (the engine's when {@code use_engine_credentials}); the password itself never leaves the catalog.
 * {@code compression} is what the client set: a boolean as in the spec, or an algorithm name;
 * {@code compression_level} null means the algorithm's default; {@code encrypted} encrypts its backups.
 */
public record DatabaseConfig(
        String id,
        String name,
        String databaseType,
        String engineId,
        String engineName,
        boolean useEngineCredentials,
        String host,
        Integer port,
        String databaseName,
        String username,
        boolean hasPassword,
        String passwordSecretName,
        String policyId,
        boolean enabled,
        Object compression,
        Integer compressionLevel,
        boolean encrypted,
        String backupDestination,
        String schedule,
        Map<String, String> tags,
        Instant createdAt,
        Instant updatedAt) {
}
