package dev.custos.databases;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.api.Narrowing;
import dev.custos.api.Paging;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.CustosProperties;
import dev.custos.catalog.Filters;
import dev.custos.catalog.Ids;
import dev.custos.catalog.RowLocks;
import dev.custos.catalog.SecretBox;
import dev.custos.connectors.ConnectionCheck;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.Connectors;
import dev.custos.connectors.DatabaseKind;
import dev.custos.engines.Engine;
import dev.custos.engines.EngineService;
import dev.custos.pipeline.CompressionSpec;
import dev.custos.policies.PolicyService;

/** Database configurations: validated against the spec's credential rules, with credentials encrypted. */
@Service
public class DatabaseService {

    private final DatabaseRepository repository;
    private final EngineService engines;
    private final PolicyService policies;
    private final Connectors connectors;
    private final SecretBox secrets;
    private final AuditLog audit;
    private final CustosProperties properties;
    private final Clock clock;
    private final RowLocks locks;
    private final DatabaseBackups backups;

    DatabaseService(DatabaseRepository repository, EngineService engines, PolicyService policies, Connectors connectors,
            SecretBox secrets, AuditLog audit, CustosProperties properties, Clock clock, RowLocks locks,
            DatabaseBackups backups) {
        this.locks = locks;
        this.backups = backups;
        this.repository = repository;
        this.engines = engines;
        this.policies = policies;
        this.connectors = connectors;
        this.secrets = secrets;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * @param more       whether rows follow this page
     * @param nextCursor where the next page starts ({@code cursor}), or null on the last page
     */
    public record Page(List<DatabaseConfig> databases, long total, boolean more, String nextCursor) {
    }

    /** The filters of {@code GET /api/databases}; null means "not filtered". */
    public record Query(Boolean enabledOnly, String type, String search, String host, String policyId, String engineId) {
        Filters filters() {
            return new Filters()
                    .add("d.enabled = :enabled", "enabled", Boolean.TRUE.equals(enabledOnly) ? Boolean.TRUE : null)
                    .add("d.database_type = :type", "type", type)
                    .contains(List.of("d.search_text"), "search", search)
                    .add("lower(d.host) = lower(:host)", "host", host)
                    .add("d.policy_id = :policy", "policy", policyId)
                    .add("d.engine_id = :engine", "engine", engineId)
                    .and(Narrowing.filter("d.id", "d.engine_id"));
        }
    }

    public Page list(Query query, Paging paging) {
        return list(query, paging, null);
    }

    /** A page from {@code offset}, or after {@code cursor} (the {@code next_cursor} of the page before). */
    public Page list(Query query, Paging paging, String cursor) {
        if (query.type() != null && DatabaseKind.parse(query.type()).isEmpty()) {
            throw ApiException.badRequest("type must be one of " + String.join(", ", DatabaseKind.wireNames())
                    + " (got '" + query.type() + "')");
        }
        if (cursor != null && paging.offset() != 0) {
            throw ApiException.badRequest("give either cursor or offset, not both: cursor continues after the last"
                    + " database of a page");
        }
        ListCursor after = cursor == null ? null : ListCursor.decode(cursor);
        List<DatabaseConfig> rows = repository.page(query, paging, after);
        boolean more = rows.size() > paging.limit();
        List<DatabaseConfig> shown = more ? rows.subList(0, paging.limit()) : rows;
        return new Page(shown, repository.count(query), more,
                more ? ListCursor.after(shown.get(shown.size() - 1)).encode() : null);
    }

    /** What the scheduler needs of a database: its policy, whether it is enabled, its cron override. */
    public record ScheduleSource(String id, String name, String databaseType, String engineId, String policyId,
            boolean enabled,
            String schedule, java.time.Instant createdAt) {
    }

    /** The databases schedules run for ({@code databaseId}, or all), those the current caller may see. */
    public List<ScheduleSource> scheduleSources(String databaseId) {
        return repository.scheduleSources(databaseId).stream()
                .filter(db -> Narrowing.visible(db.id(), db.engineId())).toList();
    }

    /** The database, unless the current caller's grants leave it out (then, as when it does not exist, a 404). */
    public DatabaseConfig get(String id) {
        DatabaseConfig d = repository.findView(id).orElseThrow(() -> notFound(id));
        Narrowing.require(d.id(), d.engineId(), DatabaseService::notFound);
        return d;
    }

    @Transactional
    public DatabaseConfig create(JsonBody body) {
        long now = clock.millis();
        DatabaseRepository.Row row = read(body, null, Ids.newId("db"), now, true);
        repository.insert(row);
        DatabaseConfig created = get(row.id());
        audit.success(DatabaseEvents.created(created, null));
        return created;
    }

    @Transactional
    public DatabaseConfig update(String id, JsonBody body) {
        locks.lock("databases", id);
        DatabaseRepository.Row current = repository.findRow(id).orElseThrow(() -> notFound(id));
        DatabaseConfig before = get(id);
        DatabaseRepository.Row row = read(body, current, id, clock.millis(), true);
        repository.update(row);
        DatabaseConfig after = get(id);
        boolean passwordSet = row.passwordEnc() != null && !row.passwordEnc().equals(current.passwordEnc());
        audit.success(DatabaseEvents.updated(before, after, null, passwordSet));
        return after;
    }

    @Transactional
    public Map<String, Object> delete(String id, boolean deleteBackups) {
        DatabaseConfig db = get(id);
        backups.requireIdle(id);
        int records = backups.count(id);
        // Logged before the destructive work, inside its transaction: the event holds the whole configuration.
        audit.success(DatabaseEvents.deleted(db, deleteBackups ? records : 0, null));
        if (deleteBackups) {
            backups.deleteAll(id);
        }
        repository.delete(id);
        return Map.of("message", "Database '" + id + "' deleted");
    }

    /** {@code POST /api/databases/test-connection}: either body form of the spec, nothing saved. */
    public ConnectionCheck testConnection(JsonBody body) {
        DatabaseRepository.Row row = read(body, null, "test-connection", clock.millis(), false);
        return connectors.test(target(row, body.string("password").orElse(null)), properties.connectionTimeout());
    }

    /** What a backup of a database needs besides its connection: its name, kind, engine and backup options. */
    public record BackupSource(String id, String name, DatabaseKind kind, String engineId, CompressionSpec compression,
            boolean encrypted) {
    }

    public BackupSource backupSource(String id) {
        DatabaseRepository.Row row = visibleRow(id);
        return new BackupSource(row.id(), row.name(), DatabaseKind.parse(row.databaseType()).orElseThrow(), row.engineId(),
                Compression.spec(row.compression(), row.compressionLevel()), row.encrypted());
    }

    /** The connection target of a saved database, credentials decrypted, for connectors. */
    public ConnectionTarget target(String id) {
        DatabaseRepository.Row row = visibleRow(id);
        return target(row, secrets.decrypt(row.passwordEnc(), secretContext(id)));
    }

    /** The saved database, unless it is not there or the current caller's grants leave it out. */
    private DatabaseRepository.Row visibleRow(String id) {
        DatabaseRepository.Row row = repository.findRow(id).orElseThrow(() -> notFound(id));
        Narrowing.require(row.id(), row.engineId(), DatabaseService::notFound);
        return row;
    }

    private ConnectionTarget target(DatabaseRepository.Row row, String ownPassword) {
        DatabaseKind kind = DatabaseKind.parse(row.databaseType()).orElseThrow();
        String username = row.username();
        String password = ownPassword;
        if (row.useEngineCredentials() && row.engineId() != null) {
            EngineService.Credentials c = engines.credentials(row.engineId());
            username = c.username();
            password = c.password();
        }
        return new ConnectionTarget(kind, row.host(), row.port() == null ? 0 : row.port(), row.databaseName(), username,
                password);
    }

    /**
     * Validates a create ({@code current} null) or a partial update over {@code current}, collecting every
     * problem into one 400, and returns the row to store.
     */
    private DatabaseRepository.Row read(JsonBody body, DatabaseRepository.Row current, String id, long now, boolean saving) {
        boolean creating = current == null;
        String name = creating && saving ? body.requiredString("name") : body.nonBlankString("name", 200).orElse(
                current == null ? null : current.name());
        if (name != null && name.length() > 200) {
            body.error("name must be at most 200 characters");
        }
        String type = current == null ? null : current.databaseType();
        if (creating && (!body.has("database_type") || body.isNull("database_type"))) {
            body.error("database_type is required (one of " + String.join(", ", DatabaseKind.wireNames()) + ")");
        } else {
            type = body.oneOf("database_type", DatabaseKind.wireNames()).orElse(type);
        }
        Optional<DatabaseKind> kind = type == null ? Optional.empty() : DatabaseKind.parse(type);
        boolean file = kind.map(k -> !k.networked()).orElse(false);

        String engineId = body.updatedString("engine_id", 100, current == null ? null : current.engineId());
        Optional<Engine> engine = Optional.empty();
        if (engineId != null) {
            engine = engines.find(engineId);
            if (engine.isEmpty()) {
                body.error("engine_id '" + engineId + "' does not exist");
            } else if (type != null && !engine.get().engineType().equals(type)) {
                body.error("engine_id '" + engineId + "' is a " + engine.get().engineType() + " engine, but database_type is "
                        + type);
            }
        }
        boolean useEngine = body.bool("use_engine_credentials").orElse(current != null && current.useEngineCredentials());

        String host = body.updatedString("host", 255, current == null ? null : current.host());
        Integer port = body.has("port") && body.isNull("port") ? null
                : body.integer("port", 1, 65535).map(p -> (Integer) p).orElse(current == null ? null : current.port());
        if (engine.isPresent()) {
            // A database on an engine lives on that server: its address is the engine's, and follows the engine.
            // A different address is refused, never kept: with use_engine_credentials the engine's password would
            // be sent to whatever host the client named.
            Engine e = engine.get();
            if (body.has("host") && !body.isNull("host") && host != null && !host.equalsIgnoreCase(e.host())) {
                body.error("host must be the engine's host (" + e.host() + ") or left out when engine_id is set");
            }
            if (body.has("port") && !body.isNull("port") && port != null && port != e.port()) {
                body.error("port must be the engine's port (" + e.port() + ") or left out when engine_id is set");
            }
            host = e.host();
            port = e.port();
        }
        if (file) {
            host = null;
            port = null;
            if (engineId != null) {
                body.error("engine_id must not be set for sqlite databases (a SQLite database is a file)");
            }
            if (useEngine) {
                body.error("use_engine_credentials cannot be true for sqlite databases");
            }
        } else if (type != null) {
            if (host == null) {
                body.error("host is required");
            } else {
                EngineService.validateHost(body, host);
            }
            // A port that is present but not an integer has already been reported by body.integer.
            if (port == null && (!body.has("port") || body.isNull("port"))) {
                body.error("port is required");
            }
        }

        String databaseName = creating ? body.requiredString("database_name")
                : body.nonBlankString("database_name", 1000).orElse(current.databaseName());
        if (databaseName != null && databaseName.length() > 1000) {
            body.error("database_name must be at most 1000 characters");
        }

        String username = body.updatedString("username", 200, current == null ? null : current.username());
        Optional<String> password = body.string("password");
        String passwordEnc = current == null ? null : current.passwordEnc();
        if (useEngine) {
            if (engineId == null) {
                body.error("engine_id is required when use_engine_credentials is true");
            }
            // Inherited credentials replace the database's own.
            username = null;
            passwordEnc = null;
        } else if (!file && type != null) {
            if (username == null) {
                body.error("username is required when use_engine_credentials is false");
            }
            if (password.isEmpty() && passwordEnc == null && !body.has("password")) {
                body.error("password is required when use_engine_credentials is false (use \"\" for an account without one)");
            }
        }
        if (saving && password.isPresent() && !useEngine) {
            passwordEnc = secrets.encrypt(password.get(), secretContext(id));
        }

        String policyId = body.nonBlankString("policy_id", 200)
                .orElse(current == null ? PolicyService.DEFAULT_POLICY_ID : current.policyId());
        if (saving && !policies.exists(policyId)) {
            body.error("policy_id '" + policyId + "' does not exist");
        }
        boolean enabled = body.bool("enabled").orElse(current == null || current.enabled());
        String compression = Compression.read(body, current == null ? "true" : current.compression());
        Integer compressionLevel = Compression.readLevel(body, compression,
                current == null ? null : current.compressionLevel());
        boolean encrypted = body.bool("encrypted").orElse(current != null && current.encrypted());
        String secretName = body.updatedString("password_secret_name", 200, current == null ? null : current.passwordSecretName());
        String destination = body.updatedString("backup_destination", 200, current == null ? null : current.backupDestination());
        String schedule = body.updatedString("schedule", 200, current == null ? null : current.schedule());
        if (schedule != null && body.has("schedule")) {
            validateCron(body, schedule);
        }
        Map<String, String> tags = body.has("tags") && body.isNull("tags") ? null
                : body.stringMap("tags", 50).orElse(current == null ? null : current.tags());
        body.throwIfInvalid();

        if (saving) {
            Optional<String> same = repository.findByTarget(type, host, port, databaseName, id);
            if (same.isPresent()) {
                throw ApiException.conflict("Database '" + databaseName + "'"
                        + (host == null ? "" : " on " + host + ":" + port) + " is already configured as '" + same.get() + "'");
            }
        }
        return new DatabaseRepository.Row(id, name, type, engineId, useEngine, host, port, databaseName, username,
                passwordEnc, secretName, policyId, enabled, compression, compressionLevel, encrypted, destination, schedule,
                tags,
                current == null ? now : current.createdAt(), now);
    }

    /** The spec's schedules are 5-field cron; Spring's parser wants seconds first. */
    private static void validateCron(JsonBody body, String schedule) {
        String[] fields = schedule.trim().split("\\s+");
        if (fields.length != 5) {
            body.error("schedule must be a 5-field cron expression such as \"0 2 * * *\" (got " + fields.length + " fields)");
            return;
        }
        try {
            CronExpression.parse("0 " + schedule.trim());
        } catch (IllegalArgumentException e) {
            body.error("schedule is not a valid cron expression: " + e.getMessage());
        }
    }

    static String secretContext(String databaseId) {
        return "databases/" + databaseId + "/password";
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("Database '" + id + "' not found");
    }
}
