package dev.custos.engines;

import java.util.List;

/**
 * What the engines feature needs done to the databases of an engine. Implemented by the databases feature,
 * so engines stay below databases in the dependency order.
 */
public interface EngineDatabases {

    /**
     * The {@code database_name} of every database configured on the engine, or on its server without it (same
     * type, host and port): either way, importing that name again would configure one real database twice.
     */
    List<String> configuredNames(Engine engine);

    /** {@code apply_to_all_databases}: every database of the engine uses the engine's credentials. */
    int useEngineCredentials(String engineId);

    /** Databases of an engine live on its server: they follow its address when it changes. */
    int followAddress(String engineId, String host, int port);

    /** Deletes every database of the engine (and their backup records when asked). */
    Deleted deleteAll(String engineId, boolean deleteBackups);

    /** Creates database configurations for the given names on the engine; returns their API views. */
    List<?> importDatabases(Engine engine, List<String> databaseNames, String policyId);

    record Deleted(int databases, int backups) {
    }
}
