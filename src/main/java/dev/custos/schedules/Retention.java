package dev.custos.schedules;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.custos.backups.Backup;
import dev.custos.backups.BackupPruning;
import dev.custos.databases.DatabaseService;
import dev.custos.policies.Policy;
import dev.custos.policies.PolicyService;
import dev.custos.policies.RetentionPlanner;
import dev.custos.policies.TierKind;
import dev.custos.settings.SettingsService;

/**
 * Applies a database's retention: plans with {@link RetentionPlanner} over its completed backups, then prunes what
 * the plan deletes, each backup in three crash-safe steps (see {@link BackupPruning}) recorded in the cleanup
 * history. Backups made by hand or before a restore are never pruned by the tiers while younger than
 * {@code default_retention_days}: a user who made one on purpose keeps it for that long.
 */
@Service
public class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    /** A plan as the preview shows it, and as pruning then carries it out. */
    public record Plan(String databaseId, Policy policy, int defaultRetentionDays, Instant at, List<Item> keep,
            List<Item> delete) {
    }

    /** One backup of a plan: why it stays ({@code kept_by}) or goes ({@code reason}). */
    public record Item(String backupId, String blobName, Instant createdAt, String tier, List<String> tiers,
            String triggeredBy, Long fileSizeBytes, boolean locked, String verificationStatus, List<String> keptBy,
            String reason) {
    }

    private final BackupPruning pruning;
    private final PolicyService policies;
    private final DatabaseService databases;
    private final SettingsService settings;
    private final CleanupHistory history;
    private final Clock clock;
    private final TransactionTemplate tx;

    Retention(BackupPruning pruning, PolicyService policies, DatabaseService databases, SettingsService settings,
            CleanupHistory history, Clock clock, PlatformTransactionManager transactions) {
        this.pruning = pruning;
        this.policies = policies;
        this.databases = databases;
        this.settings = settings;
        this.history = history;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    /** What retention would keep and delete now under the database's policy, or under {@code proposed}. */
    public Plan preview(String databaseId, Policy proposed) {
        String policyId = databases.get(databaseId).policyId();
        Policy policy = proposed != null ? proposed : policies.get(policyId);
        return plan(databaseId, policy);
    }

    /** Prunes one database now (finishing any interrupted pruning first); returns how many backups were deleted. */
    public int prune(String databaseId, String trigger) {
        resumePending();
        Policy policy = policies.get(databases.get(databaseId).policyId());
        Plan plan = plan(databaseId, policy);
        int deleted = 0;
        for (Item item : plan.delete()) {
            if (pruneOne(databaseId, policy.id(), item, trigger)) {
                deleted++;
            }
        }
        return deleted;
    }

    /** Finishes interrupted prunings, then applies every database's retention. */
    public int sweep() {
        resumePending();
        int deleted = 0;
        for (DatabaseService.ScheduleSource db : databases.scheduleSources(null)) {
            try {
                deleted += prune(db.id(), "sweep");
            } catch (RuntimeException e) {
                log.warn("Retention of database {} failed: {}", db.id(), e.toString());
            }
        }
        return deleted;
    }

    /** Completes every pruning a crash or a storage failure left {@code pending}; deleting twice is harmless. */
    public int resumePending() {
        int finished = 0;
        for (CleanupHistory.Entry entry : history.pending()) {
            if (finish(entry.id(), entry.backupId(), entry.blobName())) {
                finished++;
            }
        }
        return finished;
    }

    List<CleanupHistory.Entry> history(String databaseId, int limit) {
        return history.find(databaseId, limit);
    }

    private Plan plan(String databaseId, Policy policy) {
        Instant now = clock.instant();
        int days = settings.get().defaultRetentionDays();
        List<Backup> backups = pruning.candidates(databaseId);
        Map<String, Backup> byId = new LinkedHashMap<>();
        List<RetentionPlanner.Candidate> candidates = new ArrayList<>();
        for (Backup b : backups) {
            byId.put(b.id(), b);
            candidates.add(new RetentionPlanner.Candidate(b.id(), b.createdAt(),
                    !"failed".equals(b.verificationStatus()), b.locked(), labels(b)));
        }
        List<Item> keep = new ArrayList<>();
        List<Item> delete = new ArrayList<>();
        boolean anyIntact = candidates.stream().anyMatch(RetentionPlanner.Candidate::intact);
        String newest = backups.isEmpty() ? null : backups.get(0).id();
        for (RetentionPlanner.Decision d : RetentionPlanner.plan(policy, days, candidates, now)) {
            Backup b = byId.get(d.backup().id());
            boolean young = days > 0 && b.createdAt().isAfter(now.minus(Duration.ofDays(days)));
            if (!d.keep() && !d.backup().intact() && (young || !anyIntact && b.id().equals(newest))) {
                // A failed verification may be the test-restore server's fault, not the backup's: it counts toward
                // no tier, but is kept for a while to be looked at, and never leaves a database with no backup.
                keep.add(item(b, List.of(young ? "default_retention" : "newest"), "its verification failed, so it"
                        + " counts toward no tier; " + (young ? "kept for default_retention_days (" + days + ")"
                        : "kept as the newest backup, as no backup of this database passed verification")));
            } else if (!d.keep() && madeOnPurpose(b) && young) {
                keep.add(item(b, List.of("default_retention"), "made " + describe(b.triggeredBy())
                        + ": kept for default_retention_days (" + days + ") whatever the tiers say"));
            } else if (d.keep()) {
                keep.add(item(b, d.keptBy(), d.reason()));
            } else {
                delete.add(item(b, List.of(), d.reason()));
            }
        }
        return new Plan(databaseId, policy, days, now, keep, delete);
    }

    private boolean pruneOne(String databaseId, String policyId, Item item, String trigger) {
        String[] cleanup = new String[1];
        Optional<Backup> marked = tx.execute(s -> {
            Optional<Backup> b = pruning.mark(item.backupId(), item.reason(), policyId, trigger);
            b.ifPresent(backup -> cleanup[0] = history.begin(databaseId, backup.id(), backup.blobName(), policyId,
                    backup.createdAt(), backup.fileSizeBytes(), item.reason(), trigger, clock.instant()));
            return b;
        });
        return marked.isPresent() && finish(cleanup[0], item.backupId(), item.blobName());
    }

    private boolean finish(String cleanupId, String backupId, String blobName) {
        try {
            pruning.removeObjects(blobName);
        } catch (IOException | RuntimeException e) {
            log.warn("Retention could not delete {} from storage; the next sweep tries again: {}", blobName, e.toString());
            String error = String.valueOf(e.getMessage());
            tx.executeWithoutResult(s -> {
                // Audited once, at the first refusal; later attempts only update the cleanup history's error.
                if (history.failedAttempt(cleanupId, error)) {
                    pruning.removalFailed(backupId, error);
                }
            });
            return false;
        }
        tx.executeWithoutResult(s -> {
            pruning.removeRecord(backupId);
            history.complete(cleanupId, clock.instant());
        });
        return true;
    }

    private static boolean madeOnPurpose(Backup b) {
        return !"scheduler".equals(b.triggeredBy());
    }

    private static String describe(String triggeredBy) {
        return switch (String.valueOf(triggeredBy)) {
            case "manual" -> "by hand";
            case "pre_restore" -> "before a restore";
            default -> "outside the schedule (" + triggeredBy + ")";
        };
    }

    private static Set<TierKind> labels(Backup b) {
        List<String> tiers = b.tiers() == null || b.tiers().isEmpty()
                ? (b.tier() == null ? List.of() : List.of(b.tier())) : b.tiers();
        return tiers.stream().map(TierKind::parse).flatMap(Optional::stream).collect(Collectors.toSet());
    }

    private static Item item(Backup b, List<String> keptBy, String reason) {
        return new Item(b.id(), b.blobName(), b.createdAt(), b.tier(), b.tiers(), b.triggeredBy(), b.fileSizeBytes(),
                b.locked(), b.verificationStatus(), keptBy, reason);
    }
}
