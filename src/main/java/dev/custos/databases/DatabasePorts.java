package dev.custos.databases;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.custos.api.ApiException;
import dev.custos.audit.AuditLog;
import dev.custos.audit.Changes;
import dev.custos.catalog.Ids;
import dev.custos.engines.Engine;
import dev.custos.engines.EngineDatabases;
import dev.custos.policies.PolicyService;
import dev.custos.policies.PolicyUsage;

/**
 * What engines and policies ask of the databases feature. It works on the repository directly (not through
 * {@link DatabaseService}), because DatabaseService itself depends on the engine and policy services.
 */
@Component
class DatabasePorts implements EngineDatabases, PolicyUsage {

    private final DatabaseRepository repository;
    private final AuditLog audit;
    private final Clock clock;
    private final ObjectProvider<PolicyService> policies;

    private final DatabaseBackups backups;

    DatabasePorts(DatabaseRepository repository, AuditLog audit, Clock clock,
            ObjectProvider<PolicyService> policies, DatabaseBackups backups) {
        this.repository = repository;
        this.backups = backups;
        this.audit = audit;
        this.clock = clock;
        this.policies = policies;
    }

    @Override
    public List<String> configuredNames(Engine engine) {
        return repository.databaseNamesOn(engine.id(), engine.engineType(), engine.host(), engine.port());
    }

    @Override
    public int useEngineCredentials(String engineId) {
        return changeEach(idsOnEngine(engineId), "apply_to_all_databases of engine " + engineId,
                () -> repository.useEngineCredentials(engineId, clock.millis()));
    }

    @Override
    public int followAddress(String engineId, String host, int port) {
        for (DatabaseRepository.Row row : repository.findRowsByEngine(engineId)) {
            repository.findByTarget(row.databaseType(), host, port, row.databaseName(), row.id()).ifPresent(other -> {
                throw ApiException.conflict("Database '" + row.databaseName() + "' on " + host + ":" + port
                        + " is already configured as '" + other + "'");
            });
        }
        return changeEach(idsOnEngine(engineId), "address change of engine " + engineId,
                () -> repository.followAddress(engineId, host, port, clock.millis()));
    }

    private List<String> idsOnEngine(String engineId) {
        return repository.findRowsByEngine(engineId).stream().map(DatabaseRepository.Row::id).toList();
    }

    /**
     * Runs a bulk update of several databases (an engine's, a policy's) and writes each changed database's own
     * event with its diff, so no configuration changes without its event.
     */
    private int changeEach(List<String> ids, String cause, java.util.function.IntSupplier update) {
        List<DatabaseConfig> before = ids.stream().map(id -> repository.findView(id).orElseThrow()).toList();
        int changed = update.getAsInt();
        for (DatabaseConfig old : before) {
            DatabaseConfig now = repository.findView(old.id()).orElseThrow();
            if (!Changes.between(old, now).isEmpty()) {
                audit.success(DatabaseEvents.updated(old, now, cause));
            }
        }
        return changed;
    }

    @Override
    public Deleted deleteAll(String engineId, boolean deleteBackups) {
        int databases = 0;
        int records = 0;
        List<DatabaseRepository.Row> rows = repository.findRowsByEngine(engineId);
        rows.forEach(row -> backups.requireIdle(row.id()));
        for (DatabaseRepository.Row row : rows) {
            DatabaseConfig db = repository.findView(row.id()).orElseThrow();
            int rowRecords = deleteBackups ? backups.count(row.id()) : 0;
            audit.success(DatabaseEvents.deleted(db, rowRecords, engineId));
            if (deleteBackups) {
                records += backups.deleteAll(row.id());
            }
            repository.delete(row.id());
            databases++;
        }
        return new Deleted(databases, records);
    }

    @Override
    public List<?> importDatabases(Engine engine, List<String> databaseNames, String policyId) {
        String policy = policyId == null ? PolicyService.DEFAULT_POLICY_ID : policyId;
        if (!policies.getObject().exists(policy)) {
            throw ApiException.badRequest("policy_id '" + policy + "' does not exist");
        }
        List<DatabaseConfig> created = new ArrayList<>();
        long now = clock.millis();
        for (String name : databaseNames) {
            String id = Ids.newId("db");
            repository.insert(new DatabaseRepository.Row(id, name, engine.engineType(), engine.id(), true, engine.host(),
                    engine.port(), name, null, null, null, policy, true, "true", null, false, null, null, null, now,
                    now));
            DatabaseConfig db = repository.findView(id).orElseThrow();
            audit.success(DatabaseEvents.created(db, "discovery"));
            created.add(db);
        }
        return created;
    }

    @Override
    public List<String> databasesUsing(String policyId) {
        return repository.namesUsingPolicy(policyId);
    }

    @Override
    public int move(String fromPolicyId, String toPolicyId) {
        return changeEach(repository.idsUsingPolicy(fromPolicyId), "deletion of policy " + fromPolicyId,
                () -> repository.movePolicy(fromPolicyId, toPolicyId, clock.millis()));
    }
}
