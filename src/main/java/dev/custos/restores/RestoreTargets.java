package dev.custos.restores;

import java.nio.file.Path;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.custos.api.ApiException;
import dev.custos.api.Narrowing;
import dev.custos.catalog.CustosProperties;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.Connectors;
import dev.custos.connectors.DatabaseConnector;
import dev.custos.connectors.DatabaseKind;
import dev.custos.databases.DatabaseService;
import dev.custos.engines.EngineService;

/** Turns a restore's target fields into a connection and the connector that speaks to it. */
@Component
class RestoreTargets {

    private final DatabaseService databases;
    private final EngineService engines;
    private final Connectors connectors;
    private final Path scratchDir;

    RestoreTargets(DatabaseService databases, EngineService engines, Connectors connectors, CustosProperties properties) {
        this.databases = databases;
        this.engines = engines;
        this.connectors = connectors;
        this.scratchDir = properties.dataDir().resolve("scratch");
    }

    /**
     * @param databaseId   a configured database, or null
     * @param engineId     with {@code databaseName}: a database on that engine's server, or null
     * @param databaseName the database's name on its server (for SQLite the file's path)
     */
    record Target(DatabaseKind kind, ConnectionTarget connection, DatabaseConnector connector, String databaseId,
            String engineId, String databaseName) {

        /** Names the target for the one-restore-per-target rule: the same database reached two ways is one target. */
        String key() {
            if (kind == DatabaseKind.SQLITE) {
                return "sqlite:" + Path.of(databaseName).toAbsolutePath().normalize();
            }
            return kind.value() + ":" + connection.host() + ":" + connection.port() + "/" + databaseName;
        }

        String describe() {
            return kind == DatabaseKind.SQLITE ? "SQLite file '" + databaseName + "'"
                    : "database '" + databaseName + "' on " + connection.host() + ":" + connection.port();
        }
    }

    Target database(String databaseId) {
        DatabaseService.BackupSource source = databases.backupSource(databaseId);
        ConnectionTarget connection = databases.target(databaseId);
        return new Target(source.kind(), connection, connector(source.kind()), databaseId, source.engineId(),
                connection.databaseName());
    }

    /** A database by name on an engine: for a caller narrowed by grants, only on an engine granted whole. */
    Target onEngine(String engineId, String databaseName) {
        Narrowing n = Narrowing.current();
        if (n != null && !n.engineIds().contains(engineId)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "Forbidden: your grants do not include engine '" + engineId
                    + "', so you can restore only into the databases granted to you");
        }
        ConnectionTarget connection = engines.target(engineId, databaseName);
        return new Target(connection.kind(), connection, connector(connection.kind()), null, engineId, databaseName);
    }

    /** A SQLite file by path: never for a caller narrowed by grants, whose grants name no files. */
    Target sqliteFile(String path) {
        if (Narrowing.current() != null) {
            throw new ApiException(HttpStatus.FORBIDDEN, "Forbidden: your grants narrow you to some databases, so"
                    + " you can restore only into them, not into a file path");
        }
        ConnectionTarget connection = new ConnectionTarget(DatabaseKind.SQLITE, null, 0, path, null, null);
        return new Target(DatabaseKind.SQLITE, connection, connector(DatabaseKind.SQLITE), null, null, path);
    }

    /** Where test restores of a backup of {@code kind} get their scratch database called {@code name}. */
    Target scratch(DatabaseKind kind, String name, String configuredEngineId, String backupEngineId,
            String sourceDatabaseId) {
        if (kind == DatabaseKind.SQLITE) {
            return sqliteFile(scratchDir.resolve(name + ".sqlite").toString());
        }
        String engineId = configuredEngineId != null && !configuredEngineId.isBlank() ? configuredEngineId : backupEngineId;
        if (engineId != null) {
            Target t = onEngine(engineId, name);
            if (t.kind() != kind) {
                throw ApiException.badRequest("The test-restore engine '" + engineId + "' is " + t.kind().value()
                        + "; this backup is of a " + kind.value() + " database");
            }
            return t;
        }
        if (sourceDatabaseId == null) {
            throw ApiException.badRequest("No engine to test-restore on: set custos.restores.test-restore-engine-id");
        }
        ConnectionTarget own = databases.target(sourceDatabaseId);
        ConnectionTarget connection = new ConnectionTarget(own.kind(), own.host(), own.port(), name, own.username(),
                own.password());
        return new Target(kind, connection, connector(kind), null, null, name);
    }

    Path scratchDir() {
        return scratchDir;
    }

    private DatabaseConnector connector(DatabaseKind kind) {
        return connectors.forKind(kind).orElseThrow(() -> ApiException.badRequest(
                "Restores of " + kind.value() + " databases are not supported"));
    }
}
