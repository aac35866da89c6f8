package dev.custos.schedules;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.api.ApiException;
import dev.custos.audit.AuditLog;
import dev.custos.backups.BackupService;
import dev.custos.catalog.JsonColumns;
import dev.custos.databases.DatabaseService;
import dev.custos.policies.Policy;
import dev.custos.policies.PolicyService;
import dev.custos.policies.ScheduleCalendar;
import dev.custos.policies.Tier;
import dev.custos.policies.TierKind;

/**
 * Queues scheduled backups. Each tick (a db-scheduler task, so one node at a time on a shared catalog) brings every
 * database's next run up to date with its policy and queues the runs that are due. A due run is moved on with a
 * conditional UPDATE in the transaction that queues its backup, so it is queued once even if two ticks overlapped.
 * After downtime a missed run is caught up once (counting for every tier it missed), then the schedule continues
 * from now: never a burst of one backup per missed slot.
 */
@Service
public class BackupScheduler {

    private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);

    /** How many missed fires a catch-up looks through to learn the tiers it counts for. */
    private static final int MAX_MISSED_FIRES = 10_000;

    private final DatabaseService databases;
    private final PolicyService policies;
    private final BackupService backups;
    private final ScheduleRepository repository;
    private final AuditLog audit;
    private final JsonColumns json;
    private final ScheduleProperties properties;
    private final Clock clock;
    private final TransactionTemplate tx;

    BackupScheduler(DatabaseService databases, PolicyService policies, BackupService backups,
            ScheduleRepository repository, AuditLog audit, JsonColumns json, ScheduleProperties properties, Clock clock,
            PlatformTransactionManager transactions) {
        this.databases = databases;
        this.policies = policies;
        this.backups = backups;
        this.repository = repository;
        this.audit = audit;
        this.json = json;
        this.properties = properties;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    /** What one tick did: backups queued (database id → backup id), runs skipped (busy, failing) and missed. */
    public record Tick(Map<String, String> queued, List<String> skipped, List<String> missed) {
    }

    public Tick tick() {
        Instant now = clock.instant();
        Map<String, ScheduleRepository.Row> rows = repository.all();
        Map<String, Policy> policyCache = new HashMap<>();
        Tick result = new Tick(new LinkedHashMap<>(), new ArrayList<>(), new ArrayList<>());
        for (DatabaseService.ScheduleSource db : databases.scheduleSources(null)) {
            ScheduleRepository.Row row = rows.remove(db.id());
            try {
                Optional<ScheduleCalendar> calendar = calendar(db, policyCache);
                String config = config(db, calendar.isPresent() ? policyCache.get(db.policyId()) : null);
                boolean due = row != null && row.nextRunAt() != null && !row.nextRunAt().isAfter(now);
                if (due && calendar.isPresent() && !row.config().equals(config)) {
                    // The policy changed after this run fell due: it still runs, then the new schedule takes over.
                    fire(db, calendar.get(), row, now, result);
                    continue;
                }
                if (row == null || !row.config().equals(config)) {
                    // A new database's first run may already be due (it was added just before a tick, or before
                    // downtime); a changed policy starts from now.
                    Instant from = row == null && db.createdAt().isAfter(now.minus(properties.lateAfter()))
                            ? db.createdAt() : now;
                    Optional<ScheduleCalendar.Fire> next = calendar.flatMap(c -> c.next(from));
                    tx.executeWithoutResult(s -> repository.plan(db.id(), config,
                            next.map(ScheduleCalendar.Fire::at).orElse(null), names(next), now));
                } else if (due && calendar.isPresent()) {
                    fire(db, calendar.get(), row, now, result);
                }
            } catch (RuntimeException e) {
                log.warn("Scheduling database {} failed: {}", db.id(), e.toString());
            }
        }
        for (String gone : rows.keySet()) {
            tx.executeWithoutResult(s -> repository.delete(gone));
        }
        return result;
    }

    /** The calendar a database runs on; empty when it is disabled or runs on nothing. */
    Optional<ScheduleCalendar> calendar(DatabaseService.ScheduleSource db, Map<String, Policy> cache) {
        Policy policy = cache.computeIfAbsent(db.policyId(), policies::get);
        if (!db.enabled()) {
            return Optional.empty();
        }
        ScheduleCalendar calendar = ScheduleCalendar.of(policy, db.schedule());
        return calendar.isEmpty() ? Optional.empty() : Optional.of(calendar);
    }

    private String config(DatabaseService.ScheduleSource db, Policy policy) {
        if (policy == null) {
            return "{\"enabled\":false}";
        }
        // Only what decides when runs fall due: a changed keep_count must not move the next run.
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("policy_id", policy.id());
        config.put("timezone", policy.timezone());
        for (TierKind kind : TierKind.values()) {
            Tier t = policy.tier(kind);
            config.put(kind.field(), t.enabled()
                    ? List.of(String.valueOf(t.intervalHours()), String.valueOf(t.time()), String.valueOf(t.dayOfWeek()),
                            String.valueOf(t.dayOfMonth()), String.valueOf(t.month()))
                    : List.of());
        }
        config.put("schedule", db.schedule());
        return json.write(config);
    }

    private void fire(DatabaseService.ScheduleSource db, ScheduleCalendar calendar, ScheduleRepository.Row row,
            Instant now, Tick result) {
        Instant due = row.nextRunAt();
        Optional<ScheduleCalendar.Fire> next = calendar.next(now);
        Instant nextAt = next.map(ScheduleCalendar.Fire::at).orElse(null);
        List<String> nextTiers = names(next);
        boolean late = Duration.between(due, now).compareTo(properties.lateAfter()) > 0;
        // A tick that comes late (a busy node, a short cron) may find more than one fire past: one run counts for
        // all of them, never dropping a tier that one of them carried.
        Due dueRuns = dueSince(calendar, due, row.nextTiers(), now);
        List<String> tiers = dueRuns.tiers();
        if (late && !properties.catchUp()) {
            String message = "The run due at " + due + " was missed (Custos was not running); catch-up is off";
            tx.executeWithoutResult(s -> {
                if (repository.advance(db.id(), due, nextAt, nextTiers, now,
                        new ScheduleRepository.Outcome("missed", null, message))) {
                    audit.failure(ScheduleEvents.missed(db, due, tiers, nextAt), message);
                    result.missed().add(db.id());
                }
            });
            return;
        }
        String outcome = late ? "caught_up" : "queued";
        String note = late ? "Missed at " + due + "; caught up once"
                : dueRuns.coalesced() > 0 ? "Also counts for the " + dueRuns.coalesced() + " later run(s) due by " + now
                : null;
        try {
            Optional<String> queued = Optional.ofNullable(tx.execute(s -> {
                if (!repository.advance(db.id(), due, nextAt, nextTiers, now,
                        new ScheduleRepository.Outcome(outcome, null, note))) {
                    return null;
                }
                String backupId = backups.trigger(db.id(), "scheduler", tiers).backupId();
                repository.recordBackup(db.id(), backupId);
                return backupId;
            }));
            queued.ifPresent(id -> result.queued().put(db.id(), id));
        } catch (RuntimeException e) {
            // Busy (a backup of it is still running), it cannot be backed up, or the catalog refused: the run is
            // skipped, loudly, rather than retried on every tick.
            String reason = e instanceof ApiException ? e.getMessage()
                    : "an internal error (" + e.getClass().getSimpleName() + "); the log has the details";
            if (!(e instanceof ApiException)) {
                log.warn("The scheduled backup of database {} due at {} failed to queue", db.id(), due, e);
            }
            String message = "The run due at " + due + " was skipped: " + reason;
            tx.executeWithoutResult(s -> {
                if (repository.advance(db.id(), due, nextAt, nextTiers, now,
                        new ScheduleRepository.Outcome("skipped", null, message))) {
                    audit.failure(ScheduleEvents.skipped(db, due, tiers, nextAt), message);
                    result.skipped().add(db.id());
                }
            });
        }
    }

    /** The tiers one run counts for, and how many fires after the first one it stands for. */
    record Due(List<String> tiers, int coalesced) {
    }

    /** Every tier of every fire from the due one up to now: one run counts for all of them. */
    static Due dueSince(ScheduleCalendar calendar, Instant due, List<String> first, Instant now) {
        Set<TierKind> tiers = EnumSet.noneOf(TierKind.class);
        first.forEach(t -> TierKind.parse(t).ifPresent(tiers::add));
        Instant at = due;
        int coalesced = 0;
        for (; coalesced < MAX_MISSED_FIRES; coalesced++) {
            Optional<ScheduleCalendar.Fire> fire = calendar.next(at);
            if (fire.isEmpty() || fire.get().at().isAfter(now)) {
                break;
            }
            tiers.addAll(fire.get().tiers());
            at = fire.get().at();
        }
        return new Due(tiers.stream().map(TierKind::field).toList(), coalesced);
    }

    /** The tiers of a fire, smallest first. */
    static List<String> names(Optional<ScheduleCalendar.Fire> fire) {
        return fire.map(f -> f.tiers().stream().sorted().map(TierKind::field).toList()).orElse(List.of());
    }
}
