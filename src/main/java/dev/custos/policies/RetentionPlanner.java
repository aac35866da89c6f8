package dev.custos.policies;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which backups of one database a policy keeps: grandfather-father-son by calendar periods, as restic's and
 * borg's {@code keep-daily}, {@code keep-weekly} … do. Pure: the caller passes the backups and the time, and deletes
 * what is not kept.
 *
 * <ol>
 * <li>Periods are taken in the policy's time zone: an hour is a local date and hour, a day a local date, a week an ISO
 * week (Monday to Sunday, numbered in its ISO week-based year, so 2027-01-01 is in 2026-W53), a month a year and month,
 * a year a year. When the clock goes back, the repeated local hour is one hour.</li>
 * <li>Only intact backups dated up to now count. For each enabled tier keeping N, the N newest periods that hold such a
 * backup keep one each: the newest one labelled with that tier (its scheduled run), or, if none is, the newest one of
 * the period. So the 02:00 daily run is the daily backup rather than whichever hourly ran last; a period whose labelled
 * run failed is kept by another good backup of it; and the current, unfinished period is kept by its newest backup
 * until its labelled run has come.</li>
 * <li>A policy with no enabled tier keeps the intact backups of the last {@code defaultRetentionDays} × 24 hours; zero
 * or less keeps every intact backup.</li>
 * <li>Always kept: the newest intact backup, every locked backup, and intact backups dated after now (the clock was
 * ahead when they were made; they count toward no tier until now passes them, so they cannot push real backups out).</li>
 * <li>Everything else is deleted, and so is every backup that failed verification, whatever its date, unless it is
 * locked.</li>
 * </ol>
 *
 * The plan is idempotent: planning again, at the same time, over only the backups it keeps keeps all of them. So a
 * prune that stopped halfway can simply be run again, and a preview shows exactly what the prune will delete.
 */
public final class RetentionPlanner {

    /**
     * A completed backup of one database. intact = false when its verification failed (checksum mismatch …). labels =
     * the tiers its scheduled run was for (may be empty: manual backups).
     */
    public record Candidate(String id, Instant createdAt, boolean intact, boolean locked, Set<TierKind> labels) {
        public Candidate {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(createdAt, "createdAt");
            labels = labels == null ? Set.of() : Set.copyOf(labels);
        }
    }

    /**
     * keep, and why: keptBy lists the tier fields ("daily", "weekly"…) that keep it, plus "locked", "newest",
     * "default_retention" and "future" as applicable; reason is one human sentence for the API and the audit trail.
     */
    public record Decision(Candidate backup, boolean keep, List<String> keptBy, String reason) {
        public Decision {
            keptBy = List.copyOf(keptBy);
        }
    }

    // The id breaks ties so that equal timestamps always pick the same representative: idempotence depends on it.
    private static final Comparator<Candidate> NEWEST_FIRST =
            Comparator.comparing(Candidate::createdAt).thenComparing(Candidate::id).reversed();

    private final Policy policy;
    private final int defaultRetentionDays;
    private final Instant now;
    private final ZoneId zone;
    /** For each enabled tier, its kept periods, newest first, each with the backup that keeps it. */
    private final Map<TierKind, Map<String, Candidate>> kept = new EnumMap<>(TierKind.class);
    private final Candidate newest;

    private RetentionPlanner(Policy policy, int defaultRetentionDays, List<Candidate> counted, Instant now) {
        this.policy = policy;
        this.defaultRetentionDays = defaultRetentionDays;
        this.now = now;
        this.zone = ZoneId.of(policy.timezone());
        for (TierKind kind : TierKind.values()) {
            if (policy.tier(kind).enabled()) {
                kept.put(kind, representatives(kind, policy.tier(kind).keepCount(), counted));
            }
        }
        this.newest = counted.isEmpty() ? null : counted.get(0);
    }

    /** Decisions for every candidate, newest first. */
    public static List<Decision> plan(Policy policy, int defaultRetentionDays, Collection<Candidate> backups, Instant now) {
        List<Candidate> ordered = backups.stream().sorted(NEWEST_FIRST).toList();
        List<Candidate> counted = ordered.stream().filter(c -> c.intact() && !c.createdAt().isAfter(now)).toList();
        RetentionPlanner planner = new RetentionPlanner(policy, defaultRetentionDays, counted, now);
        return ordered.stream().map(planner::decide).toList();
    }

    private Map<String, Candidate> representatives(TierKind kind, int keep, List<Candidate> counted) {
        Map<String, Candidate> reps = new LinkedHashMap<>();
        // Newest first, and a period's backups come together, so the first seen is the newest of its period.
        for (Candidate c : counted) {
            String period = period(kind, c);
            Candidate rep = reps.get(period);
            if (rep == null ? reps.size() < keep : !rep.labels().contains(kind) && c.labels().contains(kind)) {
                reps.put(period, c);
            }
        }
        return reps;
    }

    private Decision decide(Candidate c) {
        List<String> keptBy = new ArrayList<>();
        List<String> why = new ArrayList<>();
        boolean future = c.createdAt().isAfter(now);
        if (c.intact() && !future) {
            kept.forEach((kind, reps) -> {
                String period = period(kind, c);
                // Identity, not equals: two equal records are still two backups, and only one represents the period.
                if (reps.get(period) == c) {
                    keptBy.add(kind.field());
                    why.add("the " + kind.field() + " backup of " + period);
                }
            });
            if (kept.isEmpty() && (defaultRetentionDays <= 0
                    || c.createdAt().isAfter(now.minus(Duration.ofDays(defaultRetentionDays))))) {
                keptBy.add("default_retention");
                why.add(defaultRetentionDays <= 0 ? "the default retention keeps every backup"
                        : "within the " + defaultRetentionDays + "-day default retention");
            }
            if (c == newest) {
                keptBy.add("newest");
                why.add("the newest intact backup");
            }
        }
        if (c.locked()) {
            keptBy.add("locked");
            why.add(c.intact() ? "locked" : "locked, though it failed verification and counts toward no tier");
        }
        if (c.intact() && future) {
            keptBy.add("future");
            why.add("dated after now, so it counts toward no tier yet");
        }
        if (!keptBy.isEmpty()) {
            return new Decision(c, true, keptBy, "Kept: " + String.join(", ", why) + ".");
        }
        return new Decision(c, false, keptBy, deletionReason(c));
    }

    private String deletionReason(Candidate c) {
        if (!c.intact()) {
            return "Deleted: it failed verification, so it counts toward no tier.";
        }
        String under = "Deleted under policy '" + policy.name() + "'";
        if (kept.isEmpty()) {
            return under + ", which enables no tier: older than the " + defaultRetentionDays + "-day default retention.";
        }
        List<String> misses = new ArrayList<>();
        kept.forEach((kind, reps) -> {
            String period = period(kind, c);
            Candidate rep = reps.get(period);
            misses.add(rep != null ? "the " + kind.field() + " tier keeps " + rep.id() + " for " + period
                    : "older than " + newestPeriods(kind, policy.tier(kind).keepCount()) + " of the " + kind.field() + " tier");
        });
        return under + ": " + String.join("; ", misses) + ".";
    }

    private static String newestPeriods(TierKind kind, int keep) {
        String unit = switch (kind) {
            case HOURLY -> "hour";
            case DAILY -> "day";
            case WEEKLY -> "week";
            case MONTHLY -> "month";
            case YEARLY -> "year";
        };
        return keep == 1 ? "the newest " + unit : "the " + keep + " newest " + unit + "s";
    }

    /** The period of a tier that a backup falls in, named as people read it (it appears in reasons). */
    private String period(TierKind kind, Candidate c) {
        ZonedDateTime t = c.createdAt().atZone(zone);
        return switch (kind) {
            case HOURLY -> t.toLocalDate() + " " + twoDigits(t.getHour()) + ":00";
            case DAILY -> t.toLocalDate().toString();
            case WEEKLY -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + twoDigits(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTHLY -> YearMonth.from(t).toString();
            case YEARLY -> Integer.toString(t.getYear());
        };
    }

    // Not String.format: a pruning pass names every backup's periods, and format is an order of magnitude slower.
    private static String twoDigits(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }
}
