package dev.custos.databases;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.custos.audit.AuditEvent;
import dev.custos.audit.Changes;

/**
 * The audit events of database configurations, with the {@code details} fields the spec names for each action,
 * in one place for every path that creates, changes or deletes a configuration.
 */
final class DatabaseEvents {

    private DatabaseEvents() {
    }

    /** The spec's fields that say which real database a configuration points at. */
    private static Map<String, Object> target(DatabaseConfig db) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("database_type", db.databaseType());
        details.put("engine_id", db.engineId());
        details.put("host", db.host());
        details.put("port", db.port());
        details.put("database_name", db.databaseName());
        return details;
    }

    static AuditEvent created(DatabaseConfig db, String source) {
        Map<String, Object> details = target(db);
        details.put("policy_id", db.policyId());
        if (source != null) {
            details.put("source", source);
        }
        return AuditEvent.of("database_created", "database", db.id(), db.name(), details).withAfter(db);
    }

    /** {@code cause} says what changed the database when it was not a request about it (an engine change). */
    static AuditEvent updated(DatabaseConfig before, DatabaseConfig after, String cause) {
        return updated(before, after, cause, false);
    }

    /**
     * {@code passwordSet}: the request set the database's password, which no view shows; {@code changes} names it,
     * its values redacted, so a rotation of credentials is not an update that changed nothing.
     */
    static AuditEvent updated(DatabaseConfig before, DatabaseConfig after, String cause, boolean passwordSet) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("database_type", after.databaseType());
        details.put("engine_id", after.engineId());
        Map<String, Object> changes = Changes.between(before, after);
        if (passwordSet) {
            changes.put("password", "[redacted]");
        }
        details.put("changes", changes);
        if (cause != null) {
            details.put("cause", cause);
        }
        return AuditEvent.of("database_updated", "database", after.id(), after.name(), details)
                .withBefore(before).withAfter(after);
    }

    static AuditEvent deleted(DatabaseConfig db, int recordsDeleted, String cascadeFromEngine) {
        Map<String, Object> details = target(db);
        // One history record per backup: deleting the record deletes the backup (and, once backups are stored, its
        // object), so both of the spec's counts are the same number.
        details.put("backups_deleted", recordsDeleted);
        details.put("records_deleted", recordsDeleted);
        if (cascadeFromEngine != null) {
            details.put("cascade_from_engine", cascadeFromEngine);
        }
        return AuditEvent.of("database_deleted", "database", db.id(), db.name(), details).withBefore(db);
    }
}
