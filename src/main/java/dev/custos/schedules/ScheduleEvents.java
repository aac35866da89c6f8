package dev.custos.schedules;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.custos.audit.AuditEvent;
import dev.custos.databases.DatabaseService;

/** The audit events of scheduled runs that queued no backup; a queued one is its backup's backup_triggered. */
final class ScheduleEvents {

    private ScheduleEvents() {
    }

    /** A due run found a backup of the database still queued or running, or the database cannot be backed up. */
    static AuditEvent skipped(DatabaseService.ScheduleSource db, Instant due, List<String> tiers, Instant next) {
        return AuditEvent.of("scheduled_backup_skipped", "database", db.id(), db.name(), details(db, due, tiers, next));
    }

    /** A run fell due while Custos was down, and catch-up is off. */
    static AuditEvent missed(DatabaseService.ScheduleSource db, Instant due, List<String> tiers, Instant next) {
        return AuditEvent.of("scheduled_backup_missed", "database", db.id(), db.name(), details(db, due, tiers, next));
    }

    private static Map<String, Object> details(DatabaseService.ScheduleSource db, Instant due, List<String> tiers,
            Instant next) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("database_id", db.id());
        details.put("database_type", db.databaseType());
        details.put("policy_id", db.policyId());
        details.put("schedule", db.schedule());
        details.put("due_at", due.toString());
        details.put("tiers", tiers);
        details.put("next_run_at", next == null ? null : next.toString());
        return details;
    }
}
