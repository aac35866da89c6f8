package dev.custos.schedules;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Service;

import dev.custos.backups.BackupPruning;
import dev.custos.databases.DatabaseService;
import dev.custos.policies.Policy;
import dev.custos.policies.ScheduleCalendar;
import dev.custos.policies.TierKind;

/**
 * What is scheduled and how it went: each database's next run (overall and per tier), its last run, and whether it
 * is overdue, i.e. the first scheduled run after its last successful backup is more than
 * {@code custos.schedules.overdue-grace} in the past.
 */
@Service
public class ScheduleOverview {

    /** One database's schedule, as GET /api/schedules shows it. */
    public record View(String databaseId, String databaseName, String databaseType, boolean enabled, String policyId,
            String timezone, String schedule, Instant nextRunAt, List<String> nextRunTiers, List<TierRun> tiers,
            Instant lastRunAt, String lastOutcome, String lastMessage, String lastBackupId,
            Instant lastSuccessfulBackupAt, boolean overdue, Instant overdueSince) {
    }

    /** A tier's next run; null when the tier is off or a cron schedule replaces the tiers' times. */
    public record TierRun(String tier, boolean enabled, int keepCount, Instant nextRunAt) {
    }

    /** Scheduling at a glance, for the system status. */
    /**
     * @param schedulingEnabled whether this process runs schedules ({@code custos.schedules.enabled}); with it off,
     *                          next runs are what the policies say, and only another process would run them
     */
    public record Summary(boolean schedulingEnabled, int scheduledDatabases, Instant nextRunAt, Instant lastRunAt,
            List<String> overdueDatabases) {
    }

    private final DatabaseService databases;
    private final BackupScheduler scheduler;
    private final ScheduleRepository repository;
    private final BackupPruning backups;
    private final ScheduleProperties properties;
    private final Clock clock;

    ScheduleOverview(DatabaseService databases, BackupScheduler scheduler, ScheduleRepository repository,
            BackupPruning backups, ScheduleProperties properties, Clock clock) {
        this.databases = databases;
        this.scheduler = scheduler;
        this.repository = repository;
        this.backups = backups;
        this.properties = properties;
        this.clock = clock;
    }

    /** Whether this process runs schedules and retention ({@code custos.schedules.enabled}). */
    public boolean schedulingEnabled() {
        return properties.enabled();
    }

    public List<View> list(String databaseId) {
        Instant now = clock.instant();
        Map<String, ScheduleRepository.Row> rows = repository.all();
        Map<String, Instant> lastGood = backups.lastCompleted();
        Map<String, Policy> policies = new HashMap<>();
        List<View> views = new ArrayList<>();
        for (DatabaseService.ScheduleSource db : databases.scheduleSources(databaseId)) {
            Optional<ScheduleCalendar> calendar = calendar(db, policies);
            Policy policy = policies.get(db.policyId());
            ScheduleRepository.Row row = rows.get(db.id());
            Optional<ScheduleCalendar.Fire> next = calendar.flatMap(c -> c.next(now));
            Instant nextAt = next.map(ScheduleCalendar.Fire::at).orElse(null);
            List<String> nextTiers = BackupScheduler.names(next);
            if (calendar.isPresent() && row != null && row.nextRunAt() != null && row.nextRunAt().isBefore(now)) {
                // Due and about to be queued by the next tick: that is the next run.
                nextAt = row.nextRunAt();
                nextTiers = row.nextTiers();
            }
            List<TierRun> tiers = new ArrayList<>();
            if (policy != null) {
                for (TierKind kind : TierKind.values()) {
                    var tier = policy.tier(kind);
                    tiers.add(new TierRun(kind.field(), tier.enabled(), tier.keepCount(),
                            calendar.flatMap(c -> c.next(kind, now)).orElse(null)));
                }
            }
            Instant last = lastGood.get(db.id());
            Instant firstDue = calendar.flatMap(c -> c.next(last != null ? last : db.createdAt()))
                    .map(ScheduleCalendar.Fire::at).orElse(null);
            boolean overdue = firstDue != null && firstDue.plus(properties.overdueGrace()).isBefore(now);
            views.add(new View(db.id(), db.name(), db.databaseType(), db.enabled(), db.policyId(),
                    policy == null ? null : policy.timezone(), db.schedule(), nextAt, nextTiers, tiers,
                    row == null ? null : row.lastRunAt(), row == null ? null : row.lastOutcome(),
                    row == null ? null : row.lastMessage(), row == null ? null : row.lastBackupId(), last, overdue,
                    overdue ? firstDue : null));
        }
        return views;
    }

    private Optional<ScheduleCalendar> calendar(DatabaseService.ScheduleSource db, Map<String, Policy> policies) {
        try {
            return scheduler.calendar(db, policies);
        } catch (RuntimeException e) {
            // A schedule that cannot be read (its policy deleted mid-request) shows as unscheduled, not as a 500.
            return Optional.empty();
        }
    }

    public Summary summary() {
        List<View> views = list(null);
        Instant next = null;
        Instant last = null;
        List<String> overdue = new ArrayList<>();
        int scheduled = 0;
        for (View v : views) {
            if (v.nextRunAt() != null) {
                scheduled++;
                next = next == null || v.nextRunAt().isBefore(next) ? v.nextRunAt() : next;
            }
            if (v.lastRunAt() != null) {
                last = last == null || v.lastRunAt().isAfter(last) ? v.lastRunAt() : last;
            }
            if (v.overdue()) {
                overdue.add(v.databaseId());
            }
        }
        return new Summary(properties.enabled(), scheduled, next, last, overdue);
    }
}
