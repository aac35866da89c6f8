package dev.custos.databases;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.custos.api.ApiException;
import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
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
    private final org.springframework.beans.factory.ObjectProvider<PolicyService> policies;

    DatabasePorts(DatabaseRepository repository, AuditLog audit, Clock clock,
            org.springframework.beans.factory.ObjectProvider<PolicyService> policies) {
        this.repository = repository;
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
        return repository.useEngineCredentials(engineId, clock.millis());
    }

    @Override
    public int followAddress(String engineId, String host, int port) {
        for (DatabaseRepository.Row row : repository.findRowsByEngine(engineId)) {
            repository.findByTarget(row.databaseType(), host, port, row.databaseName(), row.id()).ifPresent(other -> {
                throw ApiException.conflict("Database '" + row.databaseName() + "' on " + host + ":" + port
                        + " is already configured as '" + other + "'");
            });
        }
        return repository.followAddress(engineId, host, port, clock.millis());
    }

    @Override
    public Deleted deleteAll(String engineId, boolean deleteBackups) {
        int databases = 0;
        int records = 0;
        for (DatabaseRepository.Row row : repository.findRowsByEngine(engineId)) {
            DatabaseConfig db = repository.findView(row.id()).orElseThrow();
            int rowRecords = deleteBackups ? repository.countBackups(row.id()) : 0;
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("database_type", db.databaseType());
            details.put("engine_id", engineId);
            details.put("host", db.host());
            details.put("port", db.port());
            details.put("database_name", db.databaseName());
            details.put("backups_deleted", 0);
            details.put("records_deleted", rowRecords);
            details.put("cascade_from_engine", engineId);
            audit.success(AuditEvent.of("database_deleted", "database", db.id(), db.name(), details).withBefore(db));
            if (deleteBackups) {
                records += repository.deleteBackupRecords(row.id());
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
                    engine.port(), name, null, null, null, policy, true, "true", null, null, null, now, now));
            DatabaseConfig db = repository.findView(id).orElseThrow();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("database_type", db.databaseType());
            details.put("engine_id", engine.id());
            details.put("host", db.host());
            details.put("port", db.port());
            details.put("database_name", name);
            details.put("policy_id", policy);
            details.put("source", "discovery");
            audit.success(AuditEvent.of("database_created", "database", id, name, details).withAfter(db));
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
        return repository.movePolicy(fromPolicyId, toPolicyId, clock.millis());
    }
}
