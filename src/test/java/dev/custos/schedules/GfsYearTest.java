package dev.custos.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.custos.policies.Policy;
import dev.custos.policies.RetentionPlanner;
import dev.custos.policies.ScheduleCalendar;
import dev.custos.policies.Tier;
import dev.custos.policies.TierKind;

/**
 * A whole year of a five-tier GFS policy, as the service lives it: every fire of 2027 in Europe/Berlin (both DST
 * changes included) makes one good backup, and retention runs after each one, as {@link RetentionAfterBackup} does.
 * At the end exactly the backups the policy promises are left, worked out here from the fires alone without the
 * planner, and nothing that is promised was deleted on the way.
 *
 * <p>The policy: hourly every hour on the hour, keep 24; daily at 02:00, keep 7; weekly on Sunday at 02:00, keep 4;
 * monthly on the 1st at 02:00, keep 12; yearly on 1 January at 02:00, keep 2. The keep counts are a plausible
 * production policy: a day of hours, a week of days, a month of weeks, a year of months; yearly keeps 2 so that a
 * year with only one yearly run shows a tier keeping fewer than its count.
 */
class GfsYearTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Instant START = LocalDate.of(2027, 1, 1).atStartOfDay(BERLIN).toInstant();
    private static final Instant END = LocalDate.of(2028, 1, 1).atStartOfDay(BERLIN).toInstant();
    private static final int DEFAULT_RETENTION_DAYS = 30;

    private static final Policy POLICY = new Policy("gfs-year", "gfs-year", null, false, BERLIN.getId(),
            new Tier(true, 24, 1, null, null, null, null),
            new Tier(true, 7, null, "02:00", null, null, null),
            new Tier(true, 4, null, "02:00", 0, null, null),
            new Tier(true, 12, null, "02:00", null, 1, null),
            new Tier(true, 2, null, "02:00", null, 1, 1),
            Instant.EPOCH, Instant.EPOCH);

    /** One completed backup of a fire: its id, time and the tiers its run was for. */
    private record Made(String id, Instant at, Set<TierKind> tiers) {
        LocalDateTime local() {
            return at.atZone(BERLIN).toLocalDateTime();
        }
    }

    @Test
    void aYearOfFiresAndPruningAfterEachBackupLeavesExactlyWhatThePolicyPromises() {
        List<ScheduleCalendar.Fire> fires = fires();

        // 2027 has 365 days of 24 wall-clock hours. On 28 March Berlin jumps from 02:00 to 03:00: the hourly 02:00
        // does not exist, so by the calendar's contract it runs when the clocks have jumped, at 03:00, which is the
        // 03:00 run anyway, and two times at one instant are one run. On 31 October 02:00-03:00 happens twice and runs
        // the first time only. So one wall-clock hour fewer than 365 × 24, and 8,759 fires although the year has
        // 8,760 real hours (the repeated hour has none, the skipped one never existed).
        long gaps = 0;
        for (ZoneOffsetTransition t = BERLIN.getRules().nextTransition(START); t.getInstant().isBefore(END);
                t = BERLIN.getRules().nextTransition(t.getInstant())) {
            gaps += t.isGap() ? 1 : 0;
        }
        assertThat(gaps).isEqualTo(1);
        assertThat(ChronoUnit.HOURS.between(START, END)).isEqualTo(8760);
        assertThat(fires).hasSize(365 * 24 - (int) gaps).hasSize(8759);
        assertThat(firesOn(fires, LocalDate.of(2027, 3, 28))).hasSize(23);
        assertThat(firesOn(fires, LocalDate.of(2027, 10, 31))).hasSize(24);
        // Every other tier lies on an hourly fire, so it adds no fire but labels one: 365 daily runs, the 52 Sundays
        // (3 January to 26 December), 12 first days of a month, one 1 January.
        assertThat(labelled(fires, TierKind.HOURLY)).isEqualTo(8759);
        assertThat(labelled(fires, TierKind.DAILY)).isEqualTo(365);
        assertThat(labelled(fires, TierKind.WEEKLY)).isEqualTo(52);
        assertThat(labelled(fires, TierKind.MONTHLY)).isEqualTo(12);
        assertThat(labelled(fires, TierKind.YEARLY)).isEqualTo(1);
        // The spring-forward night's 02:00 daily and weekly run at 03:00 summer time, with that hour's hourly.
        assertThat(firesOn(fires, LocalDate.of(2027, 3, 28)).stream()
                .filter(f -> f.tiers().contains(TierKind.DAILY)).map(f -> f.at().atZone(BERLIN).toLocalTime().toString()))
                .containsExactly("03:00");

        Map<String, Made> made = new LinkedHashMap<>();
        Map<String, RetentionPlanner.Candidate> stored = new LinkedHashMap<>();
        Set<String> deleted = new HashSet<>();
        for (ScheduleCalendar.Fire fire : fires) {
            Made backup = new Made(String.format("backup-%05d", made.size()), fire.at(), fire.tiers());
            made.put(backup.id(), backup);
            stored.put(backup.id(), new RetentionPlanner.Candidate(backup.id(), backup.at(), true, false, backup.tiers()));
            deleted.addAll(prune(stored, fire.at()));
            if (fire.tiers().contains(TierKind.DAILY)) {
                // Once a day, not only at the end: what is left is exactly the promise for the history so far, so
                // nothing was deleted that was still promised, even if it would have aged out by the year's end.
                assertThat(sorted(stored.keySet(), made)).as("survivors after the run at %s", backup.local())
                        .isEqualTo(sorted(expectedSurvivors(new ArrayList<>(made.values())), made));
            }
        }
        // The periodic sweep at the end of the year finds nothing more to delete: the plan is idempotent.
        assertThat(prune(stored, END)).isEmpty();

        Set<String> expected = expectedSurvivors(new ArrayList<>(made.values()));
        assertThat(sorted(stored.keySet(), made)).as("survivors").isEqualTo(sorted(expected, made));
        assertThat(deleted).as("deleted, then needed at the end").doesNotContainAnyElementsOf(expected);
        assertThat(deleted).hasSize(made.size() - expected.size());

        // What the expected set is, for a reader: the 24 hours of 31 December; 02:00 of 25-30 December (31 December's
        // is one of its hours); week 52 of 2027 (27 December to 2 January) has no Sunday run yet, so its newest
        // backup, 31 December 23:00, stands for it, then the Sundays 26, 19 and 12 December; the 1st of each month
        // at 02:00; and 2027's yearly run, 1 January 02:00 (also January's monthly), the only year there is.
        assertThat(expected).hasSize(24 + 6 + 2 + 12);
        assertThat(sorted(expected, made)).contains("2027-12-12T02:00", "2027-12-19T02:00", "2027-12-26T02:00",
                "2027-12-31T23:00", "2027-12-01T02:00", "2027-01-01T02:00");
    }

    /** Every fire of the calendar from 2027-01-01 00:00 to 2028-01-01 00:00 Berlin time, the latter excluded. */
    private static List<ScheduleCalendar.Fire> fires() {
        ScheduleCalendar calendar = ScheduleCalendar.of(POLICY, null);
        List<ScheduleCalendar.Fire> fires = new ArrayList<>();
        Instant after = START.minusNanos(1);
        Optional<ScheduleCalendar.Fire> next;
        while ((next = calendar.next(after)).isPresent() && next.get().at().isBefore(END)) {
            fires.add(next.get());
            after = next.get().at();
        }
        return fires;
    }

    /** Plans at {@code now} as the service does after a backup and removes what the plan deletes; returns those ids. */
    private static List<String> prune(Map<String, RetentionPlanner.Candidate> stored, Instant now) {
        List<String> gone = RetentionPlanner.plan(POLICY, DEFAULT_RETENTION_DAYS, stored.values(), now).stream()
                .filter(d -> !d.keep()).map(d -> d.backup().id()).toList();
        gone.forEach(stored::remove);
        return gone;
    }

    /**
     * The policy's promise, from the backups alone: for each tier, the newest keep_count periods (local hour, day,
     * ISO week, month, year) each keep one backup, the newest made for that tier or else the newest of the period;
     * and the newest backup is kept whatever. Periods are typed java.time values here, not the planner's strings.
     */
    private static Set<String> expectedSurvivors(List<Made> backups) {
        Map<TierKind, Function<LocalDateTime, Comparable<?>>> periods = new EnumMap<>(TierKind.class);
        periods.put(TierKind.HOURLY, t -> t.truncatedTo(ChronoUnit.HOURS));
        periods.put(TierKind.DAILY, LocalDateTime::toLocalDate);
        periods.put(TierKind.WEEKLY, t -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
        periods.put(TierKind.MONTHLY, YearMonth::from);
        periods.put(TierKind.YEARLY, LocalDateTime::getYear);
        Set<String> keep = new HashSet<>();
        for (TierKind kind : TierKind.values()) {
            @SuppressWarnings({ "unchecked", "rawtypes" })
            TreeMap<Comparable, List<Made>> byPeriod = backups.stream().collect(Collectors.groupingBy(
                    b -> (Comparable) periods.get(kind).apply(b.local()), TreeMap::new, Collectors.toList()));
            int keepCount = POLICY.tier(kind).keepCount();
            byPeriod.descendingMap().values().stream().limit(keepCount).forEach(inPeriod -> {
                Comparator<Made> byTime = Comparator.comparing(Made::at);
                Made chosen = inPeriod.stream().filter(b -> b.tiers().contains(kind)).max(byTime)
                        .orElseGet(() -> inPeriod.stream().max(byTime).orElseThrow());
                keep.add(chosen.id());
            });
        }
        keep.add(backups.stream().max(Comparator.comparing(Made::at)).orElseThrow().id());
        return keep;
    }

    private static List<ScheduleCalendar.Fire> firesOn(List<ScheduleCalendar.Fire> fires, LocalDate day) {
        return fires.stream().filter(f -> f.at().atZone(BERLIN).toLocalDate().equals(day)).toList();
    }

    private static long labelled(List<ScheduleCalendar.Fire> fires, TierKind kind) {
        return fires.stream().filter(f -> f.tiers().contains(kind)).count();
    }

    /** Backups by their local time, oldest first, so a failure reads as times rather than ids. */
    private static List<String> sorted(Set<String> ids, Map<String, Made> made) {
        return ids.stream().map(made::get).sorted(Comparator.comparing(Made::at))
                .map(b -> b.local().truncatedTo(ChronoUnit.MINUTES).toString()).toList();
    }
}
