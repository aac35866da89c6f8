package dev.custos.policies;

import static dev.custos.policies.TierKind.DAILY;
import static dev.custos.policies.TierKind.HOURLY;
import static dev.custos.policies.TierKind.MONTHLY;
import static dev.custos.policies.TierKind.WEEKLY;
import static dev.custos.policies.TierKind.YEARLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.springframework.scheduling.support.CronExpression;

import dev.custos.policies.ScheduleCalendar.Fire;

class ScheduleCalendarTest {

    private static final Tier OFF = new Tier(false, 0, null, null, null, null, null);

    // --- each tier on its own, in UTC

    @Test
    void hourlyWithoutTimeFiresOnTheHour() {
        ScheduleCalendar calendar = only(HOURLY, hourly(1, null));

        assertThat(firesAfter(calendar, "2027-01-01T00:00Z", 3))
                .containsExactly("2027-01-01T01:00Z", "2027-01-01T02:00Z", "2027-01-01T03:00Z");
    }

    @Test
    void hourlyEverySixHoursStartsAtMidnight() {
        ScheduleCalendar calendar = only(HOURLY, hourly(6, null));

        assertThat(firesAfter(calendar, "2027-01-01T00:00Z", 5)).containsExactly("2027-01-01T06:00Z",
                "2027-01-01T12:00Z", "2027-01-01T18:00Z", "2027-01-02T00:00Z", "2027-01-02T06:00Z");
    }

    @Test
    void hourlyEveryFiveHoursRestartsEachDay() {
        ScheduleCalendar calendar = only(HOURLY, hourly(5, null));

        assertThat(firesAfter(calendar, "2027-01-01T00:00Z", 6)).containsExactly("2027-01-01T05:00Z",
                "2027-01-01T10:00Z", "2027-01-01T15:00Z", "2027-01-01T20:00Z", "2027-01-02T00:00Z", "2027-01-02T05:00Z");
    }

    @Test
    void hourlyWithTimeIsAlignedOnItInBothDirections() {
        assertThat(firesAfter(only(HOURLY, hourly(1, "00:45")), "2027-01-01T00:00Z", 3))
                .containsExactly("2027-01-01T00:45Z", "2027-01-01T01:45Z", "2027-01-01T02:45Z");
        assertThat(firesAfter(only(HOURLY, hourly(6, "14:30")), "2027-01-01T00:00Z", 5)).containsExactly(
                "2027-01-01T02:30Z", "2027-01-01T08:30Z", "2027-01-01T14:30Z", "2027-01-01T20:30Z", "2027-01-02T02:30Z");
        assertThat(firesAfter(only(HOURLY, hourly(5, "02:10")), "2027-01-01T00:00Z", 6)).containsExactly(
                "2027-01-01T02:10Z", "2027-01-01T07:10Z", "2027-01-01T12:10Z", "2027-01-01T17:10Z", "2027-01-01T22:10Z",
                "2027-01-02T02:10Z");
        assertThat(firesAfter(only(HOURLY, hourly(24, "13:05")), "2027-01-01T00:00Z", 2))
                .containsExactly("2027-01-01T13:05Z", "2027-01-02T13:05Z");
    }

    @Test
    void dailyFiresStrictlyAfterTheGivenInstant() {
        ScheduleCalendar calendar = only(DAILY, daily("02:00"));

        assertThat(firesAfter(calendar, "2027-01-01T01:59Z", 1)).containsExactly("2027-01-01T02:00Z");
        assertThat(firesAfter(calendar, "2027-01-01T02:00Z", 2)).containsExactly("2027-01-02T02:00Z", "2027-01-03T02:00Z");
    }

    @Test
    void weeklyDayZeroIsSunday() {
        // 2027-01-01 is a Friday.
        List<String> sundays = firesAfter(only(WEEKLY, weekly(0, "02:00")), "2027-01-01T00:00Z", 3);

        assertThat(sundays).containsExactly("2027-01-03T02:00Z", "2027-01-10T02:00Z", "2027-01-17T02:00Z");
        assertThat(OffsetDateTime.parse(sundays.get(0)).getDayOfWeek()).isEqualTo(DayOfWeek.SUNDAY);
        assertThat(firesAfter(only(WEEKLY, weekly(6, "02:00")), "2027-01-01T00:00Z", 1)).containsExactly("2027-01-02T02:00Z");
        assertThat(firesAfter(only(WEEKLY, weekly(5, "02:00")), "2027-01-01T00:00Z", 2))
                .containsExactly("2027-01-01T02:00Z", "2027-01-08T02:00Z");
    }

    @Test
    void monthlyOnThe31stFallsOnTheLastDayOfShorterMonths() {
        ScheduleCalendar calendar = only(MONTHLY, monthly(31, "02:00"));

        assertThat(firesAfter(calendar, "2027-01-01T00:00Z", 5)).containsExactly("2027-01-31T02:00Z",
                "2027-02-28T02:00Z", "2027-03-31T02:00Z", "2027-04-30T02:00Z", "2027-05-31T02:00Z");
        assertThat(firesAfter(calendar, "2028-02-01T00:00Z", 2)).containsExactly("2028-02-29T02:00Z", "2028-03-31T02:00Z");
        assertThat(firesAfter(only(MONTHLY, monthly(30, "02:00")), "2028-02-01T00:00Z", 2))
                .containsExactly("2028-02-29T02:00Z", "2028-03-30T02:00Z");
    }

    @Test
    void yearlyOnThe29thOfFebruaryFallsOnThe28thInOtherYears() {
        ScheduleCalendar calendar = only(YEARLY, yearly(2, 29, "02:00"));

        assertThat(firesAfter(calendar, "2027-01-01T00:00Z", 3))
                .containsExactly("2027-02-28T02:00Z", "2028-02-29T02:00Z", "2029-02-28T02:00Z");
        assertThat(firesAfter(only(YEARLY, yearly(4, 31, "23:59")), "2027-05-01T00:00Z", 1))
                .containsExactly("2028-04-30T23:59Z");
    }

    @Test
    void tiersDueAtTheSameInstantAreOneFire() {
        // 2027-01-01 is a Friday: day_of_week 5.
        Policy policy = policy("UTC", OFF, daily("02:00"), weekly(5, "02:00"), monthly(1, "02:00"), yearly(1, 1, "02:00"));
        ScheduleCalendar calendar = ScheduleCalendar.of(policy, null);

        Fire newYear = calendar.next(at("2027-01-01T00:00Z")).orElseThrow();
        assertThat(newYear).isEqualTo(new Fire(at("2027-01-01T02:00Z"), Set.of(DAILY, WEEKLY, MONTHLY, YEARLY)));
        assertThat(newYear.primary()).contains(YEARLY);

        Fire saturday = calendar.next(newYear.at()).orElseThrow();
        assertThat(saturday).isEqualTo(new Fire(at("2027-01-02T02:00Z"), Set.of(DAILY)));
        assertThat(saturday.primary()).contains(DAILY);
        assertThat(calendar.next(at("2027-01-07T03:00Z")).orElseThrow().primary()).contains(WEEKLY);
    }

    @Test
    void anHourlyFireOnTheHourOfTheDailyOneCountsForBoth() {
        Policy policy = policy("UTC", hourly(6, null), daily("06:00"), OFF, OFF, OFF);

        assertThat(ScheduleCalendar.of(policy, null).next(at("2027-01-01T05:00Z")))
                .contains(new Fire(at("2027-01-01T06:00Z"), Set.of(HOURLY, DAILY)));
    }

    @Test
    void eachTierCanBeAskedAlone() {
        Policy policy = policy("UTC", OFF, daily("02:00"), weekly(0, "03:00"), OFF, OFF);
        ScheduleCalendar calendar = ScheduleCalendar.of(policy, null);

        assertThat(calendar.next(DAILY, at("2027-01-01T00:00Z"))).contains(at("2027-01-01T02:00Z"));
        assertThat(calendar.next(WEEKLY, at("2027-01-01T00:00Z"))).contains(at("2027-01-03T03:00Z"));
        assertThat(calendar.next(HOURLY, at("2027-01-01T00:00Z"))).isEmpty();
    }

    @Test
    void aPolicyWithoutTimezoneRunsInUtc() {
        Policy policy = new Policy("p", "name", null, false, null, OFF, daily("02:00"), OFF, OFF, OFF, null, null);

        assertThat(ScheduleCalendar.of(policy, null).zone()).isEqualTo(ZoneOffset.UTC);
        assertThat(ScheduleCalendar.of(policy, null).next(DAILY, at("2027-01-01T00:00Z"))).contains(at("2027-01-01T02:00Z"));
    }

    @Test
    void nothingEnabledAndNoCronNeverFires() {
        ScheduleCalendar calendar = ScheduleCalendar.of(policy("Europe/Berlin", OFF, OFF, OFF, OFF, OFF), null);

        assertThat(calendar.isEmpty()).isTrue();
        assertThat(calendar.next(at("2027-01-01T00:00Z"))).isEmpty();
        assertThat(calendar.next(DAILY, at("2027-01-01T00:00Z"))).isEmpty();
        assertThat(ScheduleCalendar.of(policy("UTC", OFF, daily("02:00"), OFF, OFF, OFF), null).isEmpty()).isFalse();
        assertThat(ScheduleCalendar.of(policy("UTC", OFF, OFF, OFF, OFF, OFF), "0 2 * * *").isEmpty()).isFalse();
    }

    // --- cron

    @Test
    void aCronReplacesTheTiersAndCountsForNoneOfThem() {
        ScheduleCalendar calendar = ScheduleCalendar.of(policy("UTC", hourly(1, null), daily("02:00"), OFF, OFF, OFF), "15 3 * * *");

        Fire fire = calendar.next(at("2027-01-01T00:00Z")).orElseThrow();
        assertThat(fire).isEqualTo(new Fire(at("2027-01-01T03:15Z"), Set.of()));
        assertThat(fire.primary()).isEmpty();
        assertThat(calendar.next(DAILY, at("2027-01-01T00:00Z"))).isEmpty();
    }

    @Test
    void cronEverySixHoursFiresLikeTheHourlyTierInADaylightSavingZone() {
        assertSameFires(cron("Europe/Berlin", "0 */6 * * *"), only("Europe/Berlin", HOURLY, hourly(6, null)));
        assertSameFires(cron("America/New_York", "30 */6 * * *"), only("America/New_York", HOURLY, hourly(6, "00:30")));
    }

    @Test
    void cronOnTheFirstOfTheMonthFiresLikeTheMonthlyTier() {
        assertSameFires(cron("Europe/Berlin", "0 0 1 * *"), only("Europe/Berlin", MONTHLY, monthly(1, "00:00")));
        assertSameFires(cron("Europe/Berlin", "30 2 * * *"), only("Europe/Berlin", DAILY, daily("02:30")));
    }

    @Test
    void cronEveryQuarterHourAcrossBerlinsTransitions() {
        ScheduleCalendar calendar = cron("Europe/Berlin", "*/15 * * * *");

        assertThat(firesAfter(calendar, "2027-03-28T01:30+01:00", 3))
                .containsExactly("2027-03-28T01:45+01:00", "2027-03-28T03:00+02:00", "2027-03-28T03:15+02:00");
        assertThat(firesAfter(calendar, "2027-10-31T02:30+02:00", 3))
                .containsExactly("2027-10-31T02:45+02:00", "2027-10-31T03:00+01:00", "2027-10-31T03:15+01:00");
        assertOneFirePerWallClockTime(calendar, LocalDateTime.parse("2027-01-01T00:00"),
                LocalDateTime.parse("2028-01-01T00:00"), Duration.ofMinutes(15));
    }

    @Test
    void aCronThatNeverMatchesNeverFires() {
        ScheduleCalendar calendar = cron("UTC", "0 0 31 2 *");

        assertThat(calendar.isEmpty()).isFalse();
        assertThat(calendar.next(at("2027-01-01T00:00Z"))).isEmpty();
    }

    @Test
    void aCronOnTheLeapDayWaitsForTheLeapYear() {
        assertThat(firesAfter(cron("UTC", "0 0 29 2 *"), "2028-03-01T00:00Z", 1)).containsExactly("2032-02-29T00:00Z");
    }

    @Test
    void anInvalidCronIsRefused() {
        Policy policy = policy("UTC", OFF, daily("02:00"), OFF, OFF, OFF);

        for (String cron : List.of("61 * * * *", "0 2 * *", "0 0 2 * * *", "every day", "", "0 25 * * *")) {
            assertThatThrownBy(() -> ScheduleCalendar.of(policy, cron)).as(cron).isInstanceOf(IllegalArgumentException.class);
        }
    }

    // --- daylight saving

    @Test
    void aDailyTimeTheClocksSkipRunsOnceWhenTheyHaveJumped() {
        ScheduleCalendar berlin = only("Europe/Berlin", DAILY, daily("02:30"));
        ScheduleCalendar newYork = only("America/New_York", DAILY, daily("02:30"));

        assertThat(firesAfter(berlin, "2027-03-27T00:00+01:00", 3))
                .containsExactly("2027-03-27T02:30+01:00", "2027-03-28T03:30+02:00", "2027-03-29T02:30+02:00");
        assertThat(firesAfter(newYork, "2027-03-13T00:00-05:00", 3))
                .containsExactly("2027-03-13T02:30-05:00", "2027-03-14T03:30-04:00", "2027-03-15T02:30-04:00");
        // Asked from within the hour after the jump, the shifted run is still ahead.
        assertThat(firesAfter(berlin, "2027-03-28T03:15+02:00", 1)).containsExactly("2027-03-28T03:30+02:00");
    }

    @Test
    void aDailyTimeThatHappensTwiceRunsTheFirstTimeOnly() {
        ScheduleCalendar berlin = only("Europe/Berlin", DAILY, daily("02:30"));
        ScheduleCalendar newYork = only("America/New_York", DAILY, daily("01:30"));

        assertThat(firesAfter(berlin, "2027-10-30T00:00+02:00", 3))
                .containsExactly("2027-10-30T02:30+02:00", "2027-10-31T02:30+02:00", "2027-11-01T02:30+01:00");
        assertThat(firesAfter(berlin, "2027-10-31T02:15+01:00", 1)).containsExactly("2027-11-01T02:30+01:00");
        assertThat(firesAfter(newYork, "2027-11-06T00:00-04:00", 3))
                .containsExactly("2027-11-06T01:30-04:00", "2027-11-07T01:30-04:00", "2027-11-08T01:30-05:00");
    }

    @Test
    void aCronTimeTheClocksSkipOrRepeatRunsOnce() {
        ScheduleCalendar calendar = cron("Europe/Berlin", "30 2 * * *");

        assertThat(firesAfter(calendar, "2027-03-27T00:00+01:00", 3))
                .containsExactly("2027-03-27T02:30+01:00", "2027-03-28T03:30+02:00", "2027-03-29T02:30+02:00");
        assertThat(firesAfter(calendar, "2027-10-30T00:00+02:00", 3))
                .containsExactly("2027-10-30T02:30+02:00", "2027-10-31T02:30+02:00", "2027-11-01T02:30+01:00");
    }

    @Test
    void hourlyRunsOncePerWallClockHourAcrossTransitions() {
        for (String zone : List.of("Europe/Berlin", "America/New_York")) {
            Map<ScheduleCalendar, Integer> minutes = Map.of(only(zone, HOURLY, hourly(1, null)), 0,
                    only(zone, HOURLY, hourly(1, "00:30")), 30, cron(zone, "0 * * * *"), 0, cron(zone, "30 * * * *"), 30);
            minutes.forEach((calendar, minute) -> {
                assertOneFirePerWallClockTime(calendar, LocalDateTime.parse("2027-03-12T00:00").plusMinutes(minute),
                        LocalDateTime.parse("2027-03-30T00:00"), Duration.ofHours(1));
                assertOneFirePerWallClockTime(calendar, LocalDateTime.parse("2027-10-29T00:00").plusMinutes(minute),
                        LocalDateTime.parse("2027-11-09T00:00"), Duration.ofHours(1));
            });
        }
        assertThat(firesAfter(only("Europe/Berlin", HOURLY, hourly(1, null)), "2027-03-28T00:30+01:00", 3))
                .containsExactly("2027-03-28T01:00+01:00", "2027-03-28T03:00+02:00", "2027-03-28T04:00+02:00");
        assertThat(firesAfter(only("Europe/Berlin", HOURLY, hourly(1, null)), "2027-10-31T01:30+02:00", 3))
                .containsExactly("2027-10-31T02:00+02:00", "2027-10-31T03:00+01:00", "2027-10-31T04:00+01:00");
    }

    @Test
    void aHalfHourJumpShiftsAnHourlyRunByHalfAnHour() {
        // Lord Howe Island moves from 02:00 to 02:30 on 2027-10-03.
        assertThat(firesAfter(only("Australia/Lord_Howe", HOURLY, hourly(1, "00:15")), "2027-10-03T00:30+10:30", 3))
                .containsExactly("2027-10-03T01:15+10:30", "2027-10-03T02:45+11:00", "2027-10-03T03:15+11:00");
    }

    @Test
    void aShiftedCronTimeRunsInOrderWithTheTimesAfterTheJump() {
        // 02:20 moves to 02:50, after 02:40, which exists: both run, in the order of their instants.
        assertThat(firesAfter(cron("Australia/Lord_Howe", "*/20 * * * *"), "2027-10-03T01:30+10:30", 5)).containsExactly(
                "2027-10-03T01:40+10:30", "2027-10-03T02:30+11:00", "2027-10-03T02:40+11:00", "2027-10-03T02:50+11:00",
                "2027-10-03T03:00+11:00");
    }

    // --- properties of random policies

    private static final List<String> ZONES =
            List.of("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata");

    @Test
    void randomPoliciesFireExactlyWhenAndOnlyWhenTheirTiersAreDue() {
        // A new seed each run widens the search; a failure prints it, and -Dschedule.seed=... replays it.
        long seed = Long.getLong("schedule.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int i = 0; i < 40; i++) {
            Policy policy = randomPolicy(random);
            String context = "seed " + seed + ", " + describe(policy);
            ScheduleCalendar calendar = ScheduleCalendar.of(policy, null);
            ZoneId zone = calendar.zone();
            Instant from = LocalDate.parse("2026-12-30").atStartOfDay(zone).toInstant().plusSeconds(random.nextInt(86_400));
            Instant to = LocalDate.parse("2029-01-02").atStartOfDay(zone).toInstant();

            List<Fire> fires = walk(calendar, from, to);
            assertSameFires(fires, expectedFires(policy, zone, from, to), context);
            for (int k = 0; k < fires.size(); k++) {
                Instant previous = k == 0 ? from : fires.get(k - 1).at();
                Fire fire = fires.get(k);
                Set<TierKind> dueThen = EnumSet.noneOf(TierKind.class);
                for (TierKind kind : TierKind.values()) {
                    if (calendar.next(kind, previous).equals(Optional.of(fire.at()))) {
                        dueThen.add(kind);
                    }
                }
                // Checked before asserting: AssertJ on each of ~10^5 fires would take most of the test's time.
                if (!fire.tiers().equals(dueThen)) {
                    assertThat(fire.tiers()).as("%s, tiers at %s", context, fire.at()).isEqualTo(dueThen);
                }
                for (TierKind kind : fire.tiers()) {
                    if (!dueOrShiftedByAGap(kind, policy.tier(kind), fire.at(), zone)) {
                        fail("%s: %s fired at %s, not one of its times", context, kind, LocalDateTime.ofInstant(fire.at(), zone));
                    }
                }
            }
            assertNothingMissedIn(2027, fires, policy, zone, context);
            assertNothingMissedIn(2028, fires, policy, zone, context);
            for (int k = 0; k < 100 && !fires.isEmpty(); k++) {
                Instant after = from.plusSeconds(random.nextLong(Duration.between(from, fires.get(fires.size() - 1).at()).toSeconds()));
                Optional<Fire> expected = fires.stream().filter(f -> f.at().isAfter(after)).findFirst();
                assertThat(calendar.next(after)).as("%s, after %s", context, after).isEqualTo(expected);
            }
        }
    }

    @Test
    void randomCronsRunOnceAtEveryMatchingWallClockTime() {
        long seed = Long.getLong("schedule.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int i = 0; i < 40; i++) {
            // Minute lists and hours near the transitions, where a jump can reorder or merge times.
            String zone = ZONES.get(random.nextInt(ZONES.size()));
            String cron = String.join(" ", pick(random, "*/15", "0", "30", "5,35", "*/20", "0,45", String.valueOf(random.nextInt(60))),
                    pick(random, "*", "2", "1-3", "*/6", "2,3", "0", String.valueOf(random.nextInt(24))),
                    pick(random, "*", "*", "1", "31", "29"), pick(random, "*", "*", "2", "3,10", "4,11"), pick(random, "*", "*", "0", "1-5"));
            String context = "seed " + seed + ", " + zone + " \"" + cron + "\"";
            ScheduleCalendar calendar = cron(zone, cron);
            Instant from = at("2026-12-31T00:00Z").plusSeconds(random.nextInt(86_400));
            Instant to = at("2029-01-01T00:00Z");

            assertSameFires(walk(calendar, from, to), expectedFires(cron, calendar.zone(), from, to), context);
        }
    }

    /** Every fire in (from, to]: every wall-clock time the cron matches, mapped as the class comment says, once. */
    private static List<Fire> expectedFires(String cron, ZoneId zone, Instant from, Instant to) {
        Set<Instant> matching = new TreeSet<>();
        CronExpression expression = CronExpression.parse("0 " + cron);
        LocalDateTime end = LocalDateTime.ofInstant(to, ZoneOffset.UTC).plusDays(2);
        for (LocalDateTime t = expression.next(LocalDateTime.ofInstant(from, ZoneOffset.UTC).minusDays(2));
                t != null && t.isBefore(end); t = expression.next(t)) {
            matching.add(ZonedDateTime.of(t, zone).toInstant());
        }
        return matching.stream().filter(at -> at.isAfter(from) && !at.isAfter(to)).map(at -> new Fire(at, Set.of())).toList();
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static Policy randomPolicy(Random random) {
        String zone = ZONES.get(random.nextInt(ZONES.size()));
        boolean[] on = new boolean[5];
        for (int i = 0; i < on.length; i++) {
            on[i] = random.nextInt(3) > 0;
        }
        return policy(zone,
                on[0] ? hourly(1 + random.nextInt(random.nextBoolean() ? 6 : 24), random.nextBoolean() ? null : randomTime(random)) : OFF,
                on[1] ? daily(randomTime(random)) : OFF,
                on[2] ? weekly(random.nextInt(7), randomTime(random)) : OFF,
                on[3] ? monthly(random.nextBoolean() ? 28 + random.nextInt(4) : 1 + random.nextInt(31), randomTime(random)) : OFF,
                on[4] ? yearly(1 + random.nextInt(12), random.nextBoolean() ? 29 + random.nextInt(3) : 1 + random.nextInt(31),
                        randomTime(random)) : OFF);
    }

    /** Points at the first difference: two years of hourly fires are too long to read. */
    private static void assertSameFires(List<Fire> actual, List<Fire> expected, String context) {
        for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
            if (!actual.get(i).equals(expected.get(i))) {
                assertThat(actual.get(i)).as("%s, fire %d", context, i).isEqualTo(expected.get(i));
            }
        }
        assertThat(actual.size()).as(context).isEqualTo(expected.size());
    }

    private static String describe(Policy policy) {
        StringBuilder text = new StringBuilder(policy.timezone());
        for (TierKind kind : TierKind.values()) {
            Tier t = policy.tier(kind);
            if (t.enabled()) {
                text.append(", ").append(kind.field()).append(' ').append(t.time());
                text.append(kind == HOURLY ? " every " + t.intervalHours() + "h" : "");
                text.append(kind == WEEKLY ? " day " + t.dayOfWeek() : "");
                text.append(kind == MONTHLY || kind == YEARLY ? " day " + t.dayOfMonth() : "");
                text.append(kind == YEARLY ? " month " + t.month() : "");
            }
        }
        return text.toString();
    }

    /** Times near the transitions, on round minutes, more often than not: that is where the schedule can go wrong. */
    private static String randomTime(Random random) {
        int hour = random.nextBoolean() ? random.nextInt(4) : random.nextInt(24);
        int minute = random.nextBoolean() ? 15 * random.nextInt(4) : random.nextInt(60);
        return LocalTime.of(hour, minute).toString();
    }

    /** Every fire in (from, to], by brute force: every hour of every day, mapped as the class comment says. */
    private static List<Fire> expectedFires(Policy policy, ZoneId zone, Instant from, Instant to) {
        Map<Instant, Set<TierKind>> due = new TreeMap<>();
        for (TierKind kind : TierKind.values()) {
            Tier tier = policy.tier(kind);
            if (!tier.enabled()) {
                continue;
            }
            LocalTime time = timeOf(tier);
            for (LocalDate day = LocalDate.ofInstant(from, zone).minusDays(2); day.isBefore(LocalDate.ofInstant(to, zone).plusDays(2));
                    day = day.plusDays(1)) {
                for (int hour = 0; hour < 24; hour++) {
                    LocalDateTime local = day.atTime(hour, time.getMinute());
                    if (isDue(kind, tier, time, local)) {
                        Instant at = ZonedDateTime.of(local, zone).toInstant();
                        if (at.isAfter(from) && !at.isAfter(to)) {
                            due.computeIfAbsent(at, a -> EnumSet.noneOf(TierKind.class)).add(kind);
                        }
                    }
                }
            }
        }
        return due.entrySet().stream().map(e -> new Fire(e.getKey(), e.getValue())).toList();
    }

    private static LocalTime timeOf(Tier tier) {
        return LocalTime.parse(tier.time() == null ? "00:00" : tier.time());
    }

    private static boolean isDue(TierKind kind, Tier tier, LocalTime time, LocalDateTime local) {
        if (kind == HOURLY) {
            return local.getMinute() == time.getMinute() && Math.floorMod(local.getHour() - time.getHour(), tier.intervalHours()) == 0;
        }
        LocalDate day = local.toLocalDate();
        int lastDay = YearMonth.from(day).lengthOfMonth();
        return local.toLocalTime().equals(time) && switch (kind) {
            case DAILY -> true;
            case WEEKLY -> day.getDayOfWeek().getValue() % 7 == tier.dayOfWeek();
            case MONTHLY -> day.getDayOfMonth() == Math.min(tier.dayOfMonth(), lastDay);
            case YEARLY -> day.getMonthValue() == tier.month() && day.getDayOfMonth() == Math.min(tier.dayOfMonth(), lastDay);
            case HOURLY -> throw new AssertionError();
        };
    }

    /** The fire's wall-clock time has the tier's fields, or had them before the clocks jumped over it. */
    private static boolean dueOrShiftedByAGap(TierKind kind, Tier tier, Instant at, ZoneId zone) {
        LocalDateTime local = LocalDateTime.ofInstant(at, zone);
        ZoneOffsetTransition last = zone.getRules().previousTransition(at.plusNanos(1));
        boolean inShift = last != null && last.isGap() && at.isBefore(last.getInstant().plus(last.getDuration()));
        LocalTime time = timeOf(tier);
        return isDue(kind, tier, time, local) || inShift && isDue(kind, tier, time, local.minus(last.getDuration()));
    }

    /** Counted per calendar year of the zone: a tier never loses a day it should run on. */
    private static void assertNothingMissedIn(int year, List<Fire> fires, Policy policy, ZoneId zone, String context) {
        Map<TierKind, Integer> counted = new EnumMap<>(TierKind.class);
        for (Fire fire : fires) {
            if (LocalDateTime.ofInstant(fire.at(), zone).getYear() == year) {
                fire.tiers().forEach(kind -> counted.merge(kind, 1, Integer::sum));
            }
        }
        int sundayBasedDays = (int) LocalDate.of(year, 1, 1).datesUntil(LocalDate.of(year + 1, 1, 1))
                .filter(d -> policy.weekly().enabled() && d.getDayOfWeek().getValue() % 7 == policy.weekly().dayOfWeek())
                .count();
        Map<TierKind, Integer> expected = new EnumMap<>(TierKind.class);
        expected.put(DAILY, Year.of(year).length());
        expected.put(WEEKLY, sundayBasedDays);
        expected.put(MONTHLY, 12);
        expected.put(YEARLY, 1);
        for (TierKind kind : List.of(DAILY, WEEKLY, MONTHLY, YEARLY)) {
            int count = counted.getOrDefault(kind, 0);
            assertThat(count).as("%s, %s fires in %d", context, kind, year)
                    .isEqualTo(policy.tier(kind).enabled() ? expected.get(kind) : 0);
        }
    }

    // --- helpers

    /** Every wall-clock time from {@code from} to {@code to} a step apart that exists runs exactly once. */
    private static void assertOneFirePerWallClockTime(ScheduleCalendar calendar, LocalDateTime from, LocalDateTime to, Duration step) {
        ZoneId zone = calendar.zone();
        List<LocalDateTime> expected = new ArrayList<>();
        for (LocalDateTime t = from.plus(step); !t.isAfter(to); t = t.plus(step)) {
            if (!zone.getRules().getValidOffsets(t).isEmpty()) {
                expected.add(t);
            }
        }
        List<Fire> fires = walk(calendar, ZonedDateTime.of(from, zone).toInstant(), ZonedDateTime.of(to, zone).toInstant());

        assertThat(fires).extracting(f -> LocalDateTime.ofInstant(f.at(), zone)).as(calendar.zone().getId()).isEqualTo(expected);
    }

    private static void assertSameFires(ScheduleCalendar cron, ScheduleCalendar tiers) {
        Instant from = at("2027-01-01T00:00Z");
        Instant to = at("2029-01-01T00:00Z");

        assertThat(walk(cron, from, to)).extracting(Fire::at).isEqualTo(walk(tiers, from, to).stream().map(Fire::at).toList());
    }

    /** Follows the calendar from fire to fire, as the scheduler does. */
    private static List<Fire> walk(ScheduleCalendar calendar, Instant from, Instant to) {
        List<Fire> fires = new ArrayList<>();
        Instant after = from;
        for (Optional<Fire> next = calendar.next(after); next.isPresent() && !next.get().at().isAfter(to); next = calendar.next(after)) {
            assertThat(next.get().at()).as("fire after %s", after).isAfter(after);
            fires.add(next.get());
            after = next.get().at();
        }
        return fires;
    }

    /** The next {@code count} fires as offset date-times in the calendar's zone, the way a user reads them. */
    private static List<String> firesAfter(ScheduleCalendar calendar, String after, int count) {
        List<String> fires = new ArrayList<>();
        Instant at = at(after);
        for (int i = 0; i < count; i++) {
            at = calendar.next(at).orElseThrow().at();
            fires.add(at.atZone(calendar.zone()).toOffsetDateTime().truncatedTo(ChronoUnit.MINUTES).toString());
        }
        return fires;
    }

    private static Instant at(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }

    private static ScheduleCalendar only(TierKind kind, Tier tier) {
        return only("UTC", kind, tier);
    }

    private static ScheduleCalendar only(String zone, TierKind kind, Tier tier) {
        return ScheduleCalendar.of(policy(zone, kind == HOURLY ? tier : OFF, kind == DAILY ? tier : OFF,
                kind == WEEKLY ? tier : OFF, kind == MONTHLY ? tier : OFF, kind == YEARLY ? tier : OFF), null);
    }

    private static ScheduleCalendar cron(String zone, String cron) {
        return ScheduleCalendar.of(policy(zone, OFF, OFF, OFF, OFF, OFF), cron);
    }

    private static Policy policy(String zone, Tier hourly, Tier daily, Tier weekly, Tier monthly, Tier yearly) {
        return new Policy("p", "name", null, false, zone, hourly, daily, weekly, monthly, yearly, null, null);
    }

    private static Tier hourly(int intervalHours, String time) {
        return new Tier(true, 24, intervalHours, time, null, null, null);
    }

    private static Tier daily(String time) {
        return new Tier(true, 7, null, time, null, null, null);
    }

    private static Tier weekly(int dayOfWeek, String time) {
        return new Tier(true, 4, null, time, dayOfWeek, null, null);
    }

    private static Tier monthly(int dayOfMonth, String time) {
        return new Tier(true, 12, null, time, null, dayOfMonth, null);
    }

    private static Tier yearly(int month, int dayOfMonth, String time) {
        return new Tier(true, 3, null, time, null, dayOfMonth, month);
    }
}
