package dev.custos.engines;

import java.time.Instant;

/** A database server as the API shows it: the password never, only whether one is stored. */
public record Engine(
        String id,
        String name,
        String engineType,
        String host,
        int port,
        String authMethod,
        String username,
        boolean hasPassword,
        boolean discoveryEnabled,
        int databaseCount,
        Instant createdAt,
        Instant updatedAt) {
}
