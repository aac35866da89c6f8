package dev.custos.engines;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.api.ApiException;
import dev.custos.api.Narrowing;
import dev.custos.api.JsonBody;
import dev.custos.api.Paging;
import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.Ids;
import dev.custos.catalog.RowLocks;
import dev.custos.catalog.SecretBox;
import dev.custos.connectors.ConnectionCheck;
import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.Connectors;
import dev.custos.connectors.DatabaseKind;

/** Database servers: CRUD with encrypted credentials, connection tests and discovery of their databases. */
@Service
public class EngineService {

    /** Kinds that are servers; SQLite databases are files and have no engine. */
    public static final List<String> ENGINE_TYPES = List.of("postgresql", "mysql", "sqlserver", "azure_sql");
    public static final List<String> AUTH_METHODS = List.of("user_password", "managed_identity", "azure_ad", "connection_string");

    private final EngineRepository repository;
    private final EngineDatabases databases;
    private final Connectors connectors;
    private final SecretBox secrets;
    private final AuditLog audit;
    private final CustosProperties properties;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final RowLocks locks;

    EngineService(EngineRepository repository, EngineDatabases databases, Connectors connectors, SecretBox secrets,
            AuditLog audit, CustosProperties properties, Clock clock, PlatformTransactionManager transactions,
            RowLocks locks) {
        this.locks = locks;
        this.tx = new TransactionTemplate(transactions);
        this.repository = repository;
        this.databases = databases;
        this.connectors = connectors;
        this.secrets = secrets;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
    }

    public record Page(List<Engine> items, long total) {
    }

    public Page list(String type, Paging paging) {
        if (type != null && !ENGINE_TYPES.contains(type)) {
            throw ApiException.badRequest("type must be one of " + String.join(", ", ENGINE_TYPES) + " (got '" + type + "')");
        }
        return new Page(repository.find(type, paging), repository.count(type));
    }

    public Engine get(String id) {
        return row(id).engine();
    }

    public Optional<Engine> find(String id) {
        return repository.findById(id).map(EngineRepository.Row::engine);
    }

    /** The engine's username and decrypted password, for connecting on behalf of its databases. */
    public Credentials credentials(String engineId) {
        EngineRepository.Row row = row(engineId);
        return new Credentials(row.engine().username(), secrets.decrypt(row.passwordEnc(), secretContext(engineId)));
    }

    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    public record Created(Engine engine, List<?> discoveredDatabases, String discoveryError) {
    }

    /**
     * Creates an engine and, when asked, imports the databases found on its server. The engine is committed
     * first and discovery runs outside any transaction: talking to a slow server must not hold the catalog's
     * write lock, and an unreachable server must not undo the engine.
     */
    public Created create(JsonBody body) {
        String name = body.requiredString("name");
        if (name != null && name.length() > 200) {
            body.error("name must be at most 200 characters");
        }
        String type = null;
        if (!body.has("engine_type") || body.isNull("engine_type")) {
            body.error("engine_type is required (one of " + String.join(", ", ENGINE_TYPES) + ")");
        } else {
            type = body.oneOf("engine_type", ENGINE_TYPES).orElse(null);
        }
        String host = body.requiredString("host");
        validateHost(body, host);
        Integer port = body.integer("port", 1, 65535).orElse(null);
        if (port == null && !body.has("port") && type != null) {
            port = DatabaseKind.parse(type).map(DatabaseKind::defaultPort).orElse(null);
        }
        if (port == null && !body.hasErrors()) {
            body.error("port is required");
        }
        String auth = body.oneOf("auth_method", AUTH_METHODS).orElse("user_password");
        String username = body.nonBlankString("username", 200).orElse(null);
        String password = body.string("password").orElse(null);
        if (auth.equals("user_password")) {
            if (username == null) {
                body.error("username is required when auth_method is user_password");
            }
            if (password == null) {
                body.error("password is required when auth_method is user_password (use \"\" for an account without one)");
            }
        }
        boolean discoveryEnabled = body.bool("discovery_enabled").orElse(true);
        boolean discover = body.bool("discover_databases").orElse(false);
        body.throwIfInvalid();

        Instant now = clock.instant();
        String id = Ids.newId("engine");
        Engine engine = new Engine(id, name, type, host, port, auth, username, password != null, discoveryEnabled, 0, now, now);
        tx.executeWithoutResult(status -> {
            requireUniqueName(engine.name(), null);
            repository.insert(engine, secrets.encrypt(password, secretContext(id)));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("engine_id", id);
            details.put("engine_type", engine.engineType());
            details.put("host", engine.host());
            details.put("port", engine.port());
            audit.success(AuditEvent.of("engine_created", "engine", id, engine.name(), details).withAfter(engine));
        });

        List<?> discovered = List.of();
        String discoveryError = null;
        if (discover) {
            if (!discoveryEnabled) {
                discoveryError = "discovery_enabled is false for this engine";
            } else {
                try {
                    List<String> onServer = serverDatabases(row(id));
                    discovered = tx.execute(status ->
                            databases.importDatabases(engine, split(engine, onServer).available(), null));
                } catch (ConnectorException e) {
                    // The engine is still worth keeping: the user can fix the server and discover later.
                    discoveryError = e.getMessage();
                }
            }
        }
        return new Created(get(id), discovered, discoveryError);
    }

    public record Updated(Engine engine, int databasesUpdated) {
    }

    @Transactional
    public Updated update(String id, JsonBody body) {
        locks.lock("engines", id);
        EngineRepository.Row before = row(id);
        Engine old = before.engine();
        String name = body.nonBlankString("name", 200).orElse(old.name());
        String type = body.oneOf("engine_type", ENGINE_TYPES).orElse(old.engineType());
        String host = body.nonBlankString("host", 255).orElse(old.host());
        validateHost(body, host);
        int port = body.integer("port", 1, 65535).orElse(old.port());
        String auth = body.oneOf("auth_method", AUTH_METHODS).orElse(old.authMethod());
        String username = body.updatedString("username", 200, old.username());
        Optional<String> password = body.string("password");
        boolean discoveryEnabled = body.bool("discovery_enabled").orElse(old.discoveryEnabled());
        boolean applyToAll = body.bool("apply_to_all_databases").orElse(false);
        if (!type.equals(old.engineType()) && old.databaseCount() > 0) {
            body.error("engine_type cannot change while the engine has databases (" + old.databaseCount() + ")");
        }
        if (auth.equals("user_password") && username == null) {
            body.error("username is required when auth_method is user_password");
        }
        body.throwIfInvalid();
        if (!name.equals(old.name())) {
            requireUniqueName(name, id);
        }
        String passwordEnc = password.map(p -> secrets.encrypt(p, secretContext(id))).orElse(before.passwordEnc());
        Engine engine = new Engine(id, name, type, host, port, auth, username, passwordEnc != null, discoveryEnabled,
                old.databaseCount(), old.createdAt(), clock.instant());
        repository.update(engine, passwordEnc);

        int updated = 0;
        if (!host.equals(old.host()) || port != old.port()) {
            databases.followAddress(id, host, port);
        }
        if (applyToAll) {
            updated = databases.useEngineCredentials(id);
        }
        List<String> fields = new ArrayList<>();
        for (String f : List.of("name", "engine_type", "host", "port", "auth_method", "username", "password",
                "discovery_enabled")) {
            if (body.has(f)) {
                fields.add(f);
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("engine_id", id);
        details.put("engine_type", type);
        details.put("updated_fields", fields);
        if (applyToAll) {
            details.put("databases_updated", updated);
        }
        Engine after = get(id);
        audit.success(AuditEvent.of("engine_updated", "engine", id, name, details).withBefore(old).withAfter(after));
        return new Updated(after, updated);
    }

    @Transactional
    public Map<String, Object> delete(String id, boolean deleteDatabases, boolean deleteBackups) {
        Engine engine = get(id);
        if (engine.databaseCount() > 0 && !deleteDatabases) {
            throw ApiException.badRequest("Engine '" + id + "' has " + engine.databaseCount()
                    + " database(s); pass delete_databases=true to delete them with it");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("engine_id", id);
        details.put("engine_type", engine.engineType());
        details.put("host", engine.host());
        details.put("cascade_databases", deleteDatabases);
        details.put("cascade_backups", deleteDatabases && deleteBackups);
        details.put("databases_deleted", engine.databaseCount());
        // Logged before the destructive work, inside its transaction: the event holds the whole engine.
        audit.success(AuditEvent.of("engine_deleted", "engine", id, engine.name(), details).withBefore(engine));
        EngineDatabases.Deleted deleted = engine.databaseCount() > 0
                ? databases.deleteAll(id, deleteBackups)
                : new EngineDatabases.Deleted(0, 0);
        repository.delete(id);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("message", "Engine '" + id + "' deleted");
        if (deleteDatabases) {
            result.put("databases_deleted", deleted.databases());
            result.put("backups_deleted", deleted.backups());
        }
        return result;
    }

    public ConnectionCheck test(String id) {
        EngineRepository.Row row = row(id);
        Optional<ConnectionCheck> unsupported = unsupportedAuth(row.engine());
        return unsupported.orElseGet(() -> connectors.test(target(row), properties.connectionTimeout()));
    }

    public record Discovery(List<String> databases, List<String> existing, List<String> available) {
    }

    public Discovery discover(String id) {
        EngineRepository.Row row = row(id);
        return split(row.engine(), discoverable(row));
    }

    private Discovery split(Engine engine, List<String> onServer) {
        Set<String> configured = new TreeSet<>(databases.configuredNames(engine));
        List<String> existing = onServer.stream().filter(configured::contains).toList();
        List<String> available = onServer.stream().filter(n -> !configured.contains(n)).toList();
        return new Discovery(onServer, existing, available);
    }

    public record Imported(List<?> imported, List<String> skipped) {
    }

    /**
     * Imports databases found on the server. {@code names} null means every available one; a requested name
     * that is already configured or not on the server is skipped.
     */
    public Imported importDatabases(String id, List<String> names, String policyId) {
        // The server is asked outside the transaction; what is already configured is read again inside it.
        List<String> onServer = discoverable(row(id));
        return tx.execute(status -> importFound(id, onServer, names, policyId));
    }

    private Imported importFound(String id, List<String> onServer, List<String> names, String policyId) {
        Engine engine = get(id);
        Discovery found = split(engine, onServer);
        List<String> wanted = names == null ? found.available() : names;
        List<String> toImport = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String n : new java.util.LinkedHashSet<>(wanted)) {
            (found.available().contains(n) ? toImport : skipped).add(n);
        }
        // Called even with nothing to import: it validates policy_id, which is wrong whatever was skipped.
        List<?> imported = databases.importDatabases(engine, toImport, policyId);
        return new Imported(imported, skipped);
    }

    private List<String> discoverable(EngineRepository.Row row) {
        if (!row.engine().discoveryEnabled()) {
            throw ApiException.badRequest("Discovery is disabled for engine '" + row.engine().id()
                    + "' (discovery_enabled is false)");
        }
        Optional<ConnectionCheck> unsupported = unsupportedAuth(row.engine());
        if (unsupported.isPresent()) {
            throw ApiException.badRequest(unsupported.get().message());
        }
        try {
            return serverDatabases(row);
        } catch (ConnectorException e) {
            throw ApiException.badRequest("Could not discover databases on engine '" + row.engine().id() + "' ("
                    + e.type() + "): " + e.getMessage());
        }
    }

    private List<String> serverDatabases(EngineRepository.Row row) {
        return connectors.listDatabases(target(row), properties.connectionTimeout());
    }

    /** A database on this engine's server as the engine's account sees it, for restores into a new database. */
    public ConnectionTarget target(String engineId, String databaseName) {
        ConnectionTarget server = target(row(engineId));
        return new ConnectionTarget(server.kind(), server.host(), server.port(), databaseName, server.username(),
                server.password());
    }

    private ConnectionTarget target(EngineRepository.Row row) {
        Engine e = row.engine();
        DatabaseKind kind = DatabaseKind.parse(e.engineType()).orElseThrow();
        return new ConnectionTarget(kind, e.host(), e.port(), null, e.username(),
                secrets.decrypt(row.passwordEnc(), secretContext(e.id())));
    }

    private static Optional<ConnectionCheck> unsupportedAuth(Engine e) {
        if (e.authMethod().equals("user_password")) {
            return Optional.empty();
        }
        return Optional.of(new ConnectionCheck(false, "auth_method '" + e.authMethod() + "' is not supported yet; "
                + "use user_password", 0, ConnectionErrorType.UnsupportedEngine, null));
    }

    /** The engine, unless it is not there or the current caller's grants leave it out (a 404 either way). */
    private EngineRepository.Row row(String id) {
        return repository.findById(id).filter(r -> Narrowing.engineVisible(r.engine().id()))
                .orElseThrow(() -> ApiException.notFound("Engine '" + id + "' not found"));
    }

    private void requireUniqueName(String name, String exceptId) {
        if (repository.nameTaken(name, exceptId)) {
            throw ApiException.conflict("An engine named '" + name + "' already exists");
        }
    }

    /** Reports a host that is not a hostname or IP address; shared by every form that takes one. */
    public static void validateHost(JsonBody body, String host) {
        if (host != null && (host.length() > 255 || !host.matches("[A-Za-z0-9._:\\[\\]-]+"))) {
            body.error("host must be a hostname or IP address (got '" + abbreviate(host) + "')");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    static String secretContext(String engineId) {
        return "engines/" + engineId + "/password";
    }
}
