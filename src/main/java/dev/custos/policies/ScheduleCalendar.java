package dev.custos.policies;

import static java.time.temporal.TemporalAdjusters.nextOrSame;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.springframework.scheduling.support.CronExpression;

/**
 * When a policy's backups are due. Pure: it knows no clock, the scheduler asks it for the next fire after an
 * instant.
 *
 * <p>All times are wall-clock times in the policy's time zone ({@code timezone}, an IANA id such as
 * {@code Europe/Berlin}; UTC when the policy has none).
 * <ul>
 * <li><b>hourly</b> fires at minute M of every hour h for which (h − H) mod {@code interval_hours} = 0, where H:M is
 * the tier's {@code time}, or 00:00 when it has none, like cron {@code "M H/N * * *"}. The hours restart each day:
 * interval 6 fires at 00:00, 06:00, 12:00 and 18:00; interval 5 at 00, 05, 10, 15 and 20, then 00 again. A
 * {@code time} later than the interval counts backwards as well: interval 6 at 14:30 fires at 02:30, 08:30, 14:30
 * and 20:30 (cron's {@code 14/6} would skip 02:30 and 08:30).</li>
 * <li><b>daily</b> at {@code time}; <b>weekly</b> on {@code day_of_week} (0 = Sunday … 6 = Saturday) at
 * {@code time}; <b>monthly</b> on {@code day_of_month} at {@code time}, on the month's last day when the month is
 * shorter (31 runs on 30 April and on 28 or 29 February); <b>yearly</b> on {@code month} and {@code day_of_month} at
 * {@code time}, shortened the same way (29 February runs on 28 February in other years).</li>
 * <li>Tiers due at the same instant are one fire that counts for all of them: a Sunday 02:00 is one backup for
 * both the daily and the weekly tier.</li>
 * <li>A database's cron schedule (five fields: minute, hour, day of month, month, day of week, as Spring's
 * {@code CronExpression} reads them) replaces the tiers' times: backups run when it matches, and its fires count
 * for no tier in particular.</li>
 * <li>Daylight saving never skips or doubles a run. A time that does not exist because the clocks jump forward
 * runs when they have jumped, shifted by the jump: 02:30 on the morning Berlin moves from 02:00 to 03:00 runs at
 * 03:30 summer time. A time that happens twice because the clocks go back runs the first time only. Two times
 * that end up at the same instant are one run: hourly at 02:00 moved to 03:00, which is due anyway.</li>
 * </ul>
 */
public final class ScheduleCalendar {

    /** The first wall-clock time strictly after the given one at which a tier or cron is due; null when none. */
    private interface Rule {
        LocalDateTime after(LocalDateTime local);
    }

    private final ZoneId zone;
    private final Map<TierKind, Rule> tiers;
    private final Rule cron;

    private ScheduleCalendar(ZoneId zone, Map<TierKind, Rule> tiers, Rule cron) {
        this.zone = zone;
        this.tiers = tiers;
        this.cron = cron;
    }

    /**
     * @param cron a 5-field cron expression ("min hour dom month dow") that replaces the tiers' times, or null
     * @throws IllegalArgumentException when the cron is not a valid 5-field expression
     */
    public static ScheduleCalendar of(Policy policy, String cron) {
        ZoneId zone = policy.timezone() == null ? ZoneOffset.UTC : ZoneId.of(policy.timezone());
        Map<TierKind, Rule> tiers = new EnumMap<>(TierKind.class);
        for (TierKind kind : TierKind.values()) {
            Tier tier = policy.tier(kind);
            if (tier != null && tier.enabled()) {
                tiers.put(kind, rule(kind, kind.normalize(tier)));
            }
        }
        return new ScheduleCalendar(zone, tiers, cron == null ? null : cron(cron));
    }

    public ZoneId zone() {
        return zone;
    }

    /** True when nothing can ever fire: no enabled tier and no cron. */
    public boolean isEmpty() {
        return tiers.isEmpty() && cron == null;
    }

    /** The first time strictly after {@code after} at which a backup is due, with the tiers it counts for. */
    public Optional<Fire> next(Instant after) {
        if (cron != null) {
            return Optional.ofNullable(first(cron, after)).map(at -> new Fire(at, Set.of()));
        }
        Instant earliest = null;
        Set<TierKind> due = EnumSet.noneOf(TierKind.class);
        for (Map.Entry<TierKind, Rule> tier : tiers.entrySet()) {
            Instant at = first(tier.getValue(), after);
            int order = earliest == null ? -1 : at.compareTo(earliest);
            if (order < 0) {
                earliest = at;
                due.clear();
            }
            if (order <= 0) {
                due.add(tier.getKey());
            }
        }
        return earliest == null ? Optional.empty() : Optional.of(new Fire(earliest, due));
    }

    /**
     * The first time strictly after {@code after} at which one tier is due; empty when the tier is disabled or a
     * cron overrides the tiers.
     */
    public Optional<Instant> next(TierKind kind, Instant after) {
        Rule rule = tiers.get(kind);
        return cron != null || rule == null ? Optional.empty() : Optional.of(first(rule, after));
    }

    /** One backup due at {@code at}, counting for {@code tiers} (none for a cron fire). */
    public record Fire(Instant at, Set<TierKind> tiers) {

        public Fire {
            tiers = tiers.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(tiers));
        }

        /** The largest tier of this fire (yearly > monthly > weekly > daily > hourly), empty for a cron fire. */
        public Optional<TierKind> primary() {
            return tiers.stream().max(Comparator.naturalOrder());
        }
    }

    /**
     * The earliest instant strictly after {@code after} that one of the rule's wall-clock times maps to.
     *
     * <p>{@link ZonedDateTime#of(LocalDateTime, ZoneId)} is the mapping the class comment describes: across a gap by
     * the gap's length, in an overlap to the earlier offset. It keeps the order of wall-clock times except inside a
     * gap, whose times land up to a gap's length after the times that follow the gap. So the walk goes on past the
     * first hit until even the start of a gap, the lowest instant any later time can map to, cannot beat it.
     */
    private Instant first(Rule rule, Instant after) {
        ZoneRules rules = zone.getRules();
        // Start at after's wall-clock time read with the smallest offset of the last day: no earlier time can map past
        // after. Only a gap that just passed maps times before after's own wall clock past it (with the offset before
        // the gap); a coming overlap maps with its earlier, larger offset, and gaps last less than a day.
        int smallest = Math.min(rules.getOffset(after).getTotalSeconds(),
                rules.getOffset(after.minus(Duration.ofDays(1))).getTotalSeconds());
        LocalDateTime local = after.atOffset(ZoneOffset.ofTotalSeconds(smallest)).toLocalDateTime();
        Instant best = null;
        while ((local = rule.after(local)) != null) {
            Instant at = ZonedDateTime.of(local, zone).toInstant();
            ZoneOffsetTransition transition = rules.getTransition(local);
            Instant lowest = transition != null && transition.isGap() ? transition.getInstant() : at;
            if (best != null && !lowest.isBefore(best)) {
                break;
            }
            if (at.isAfter(after) && (best == null || at.isBefore(best))) {
                best = at;
            }
        }
        return best;
    }

    private static Rule rule(TierKind kind, Tier tier) {
        LocalTime time = tier.time() == null ? LocalTime.MIDNIGHT : LocalTime.parse(tier.time());
        return switch (kind) {
            case HOURLY -> hourly(time, tier.intervalHours());
            case DAILY -> onePer(Period.ofDays(1), day -> day.atTime(time));
            // Period of a day, not a week: the next day's nextOrSame is a week on when today is the day.
            case WEEKLY -> onePer(Period.ofDays(1),
                    day -> day.with(nextOrSame(DayOfWeek.SUNDAY.plus(tier.dayOfWeek()))).atTime(time));
            case MONTHLY -> onePer(Period.ofMonths(1), day -> onDay(YearMonth.from(day), tier.dayOfMonth(), time));
            case YEARLY -> onePer(Period.ofYears(1),
                    day -> onDay(YearMonth.of(day.getYear(), tier.month()), tier.dayOfMonth(), time));
        };
    }

    private static Rule hourly(LocalTime time, int intervalHours) {
        int[] hours = IntStream.range(0, 24)
                .filter(h -> Math.floorMod(h - time.getHour(), intervalHours) == 0)
                .toArray();
        return local -> {
            for (int hour : hours) {
                LocalDateTime candidate = local.toLocalDate().atTime(hour, time.getMinute());
                if (candidate.isAfter(local)) {
                    return candidate;
                }
            }
            return local.toLocalDate().plusDays(1).atTime(hours[0], time.getMinute());
        };
    }

    /** A rule due once a period: in the period of the given time if still ahead, else in the next period. */
    private static Rule onePer(Period period, Function<LocalDate, LocalDateTime> inPeriodOf) {
        return local -> {
            LocalDateTime candidate = inPeriodOf.apply(local.toLocalDate());
            return candidate.isAfter(local) ? candidate : inPeriodOf.apply(local.toLocalDate().plus(period));
        };
    }

    private static LocalDateTime onDay(YearMonth month, int dayOfMonth, LocalTime time) {
        return month.atDay(Math.min(dayOfMonth, month.lengthOfMonth())).atTime(time);
    }

    private static Rule cron(String expression) {
        String trimmed = expression.trim();
        int fields = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
        if (fields != 5) {
            throw new IllegalArgumentException("a schedule must be a 5-field cron expression such as \"0 2 * * *\" (got "
                    + fields + " fields in \"" + expression + "\")");
        }
        CronExpression cron = CronExpression.parse("0 " + trimmed);
        // On a LocalDateTime Spring sees a wall clock without a zone, so its own DST handling never enters; first()
        // maps the times to instants like the tiers'.
        return cron::next;
    }
}
