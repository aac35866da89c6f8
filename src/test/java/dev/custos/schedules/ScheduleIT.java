package dev.custos.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.custos.backups.BackupFlows;
import dev.custos.catalog.CustosProperties;
import dev.custos.storage.FaultyStorage;
import dev.custos.storage.LocalStorageBackend;
import dev.custos.support.Api;
import dev.custos.support.ApiTest;
import dev.custos.support.SettableClock;
import dev.custos.support.Sql;

/**
 * Scheduled backups and retention end to end, with the clock moved by the test: real SQLite sources dumped by the
 * real pipeline into local storage, the scheduler's tick called as db-scheduler calls it, pruning after each
 * backup. A service of its own (own catalog, storage, clock), with scheduling on.
 */
@Import(ScheduleIT.Setup.class)
class ScheduleIT extends ApiTest {

    /** A Monday, 00:00 UTC; Europe/Berlin is UTC+1 until 28 March. */
    private static final Instant START = Instant.parse("2027-03-01T00:00:00Z");
    private static final SettableClock CLOCK = new SettableClock(START);
    private static final Path OWN_DIR = ownDir();

    @TestConfiguration
    static class Setup {
        @Bean
        @Primary
        SettableClock settableClock() {
            return CLOCK;
        }

        @Bean
        @Primary
        FaultyStorage faultyStorage(CustosProperties properties) {
            return new FaultyStorage(new LocalStorageBackend(properties));
        }
    }

    @DynamicPropertySource
    static void ownService(DynamicPropertyRegistry registry) {
        registry.add("custos.catalog.url", () -> "jdbc:sqlite:" + OWN_DIR.resolve("custos.db"));
        registry.add("custos.storage.local.path", () -> OWN_DIR.resolve("backups").toString());
        registry.add("custos.schedules.enabled", () -> "true");
        // The test ticks by hand; db-scheduler's own tick would only add one at start-up.
        registry.add("custos.schedules.tick-interval", () -> "1h");
        registry.add("custos.schedules.late-after", () -> "1h");
    }

    @Autowired
    BackupScheduler scheduler;

    @Autowired
    Retention retention;

    @Autowired
    FaultyStorage storage;

    @Autowired
    dev.custos.backups.BackupPruning pruning;

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    /** This test's databases: disabled after it, so later tests' clock moves do not run theirs. */
    private final List<String> mine = new ArrayList<>();

    @AfterEach
    void heal() {
        storage.heal();
        for (String db : mine) {
            api.put("/api/databases/" + db, "{\"enabled\":false}");
        }
    }

    @Test
    void twoWeeksOfDailyRunsKeepExactlyTheDailyAndWeeklyTiersAndPruneTheRestWithAReason() throws Exception {
        CLOCK.set(START);
        String policy = policy("{\"timezone\":\"Europe/Berlin\",\"daily\":{\"enabled\":true,\"keep_count\":3,\"time\":\"02:00\"},"
                + "\"weekly\":{\"enabled\":true,\"keep_count\":2,\"time\":\"02:00\",\"day_of_week\":0},"
                + "\"monthly\":{\"enabled\":false},\"hourly\":{\"enabled\":false},\"yearly\":{\"enabled\":false}}");
        String db = sqliteDatabase("gfs", policy);
        scheduler.tick();
        JsonNode schedule = schedule(db);
        assertThat(schedule.get("next_run_at").stringValue()).isEqualTo("2027-03-01T01:00:00.000Z");
        assertThat(texts(schedule.get("next_run_tiers"))).containsExactly("daily");

        List<String> made = new ArrayList<>();
        for (int day = 0; day < 14; day++) {
            Instant due = Instant.parse(schedule(db).get("next_run_at").stringValue());
            CLOCK.set(due.plusSeconds(5));
            BackupScheduler.Tick tick = scheduler.tick();
            assertThat(tick.queued()).as("day %d", day).containsKey(db);
            JsonNode backup = BackupFlows.completed(api, tick.queued().get(db));
            assertThat(backup.get("triggered_by").stringValue()).isEqualTo("scheduler");
            boolean sunday = day == 6 || day == 13;
            assertThat(texts(backup.get("tiers"))).as("day %d", day)
                    .containsExactlyElementsOf(sunday ? List.of("daily", "weekly") : List.of("daily"));
            assertThat(backup.get("tier").stringValue()).isEqualTo(sunday ? "weekly" : "daily");
            made.add(backup.get("id").stringValue());
            settle(db);
            // A second tick at the same time queues nothing: the run has moved on.
            assertThat(scheduler.tick().queued()).doesNotContainKey(db);
        }

        settle(db);
        // Daily keep 3: the last three days (12th, 13th, 14th); weekly keep 2: Sundays 7th and 14th.
        Set<String> expected = Set.of(made.get(6), made.get(11), made.get(12), made.get(13));
        assertThat(backupIds(db)).containsExactlyInAnyOrderElementsOf(expected);

        JsonNode history = api.get("/api/cleanup-history?database_id=" + db).json();
        assertThat(history.get("count").intValue()).isEqualTo(10);
        for (JsonNode entry : history.get("cleanups")) {
            assertThat(entry.get("status").stringValue()).isEqualTo("completed");
            assertThat(entry.get("reason").stringValue()).isNotBlank();
            assertThat(Files.exists(OWN_DIR.resolve("backups").resolve(entry.get("blob_name").stringValue())))
                    .as("object of a pruned backup").isFalse();
            assertThat(expected).doesNotContain(entry.get("backup_id").stringValue());
        }
        JsonNode pruned = api.get("/api/audit?action=backup_pruned&resource_id=" + made.get(0)).json();
        assertThat(pruned.get("logs")).hasSize(1);
        JsonNode event = pruned.get("logs").get(0);
        assertThat(event.get("details").get("policy_id").stringValue()).isEqualTo(policy);
        assertThat(event.get("details").get("reason").stringValue()).isNotBlank();
        assertThat(event.get("before").get("id").stringValue()).isEqualTo(made.get(0));
    }

    @Test
    void thePreviewOfAProposedPolicyIsExactlyWhatPruningThenDoes() throws Exception {
        CLOCK.set(START.plus(Duration.ofDays(40)));
        String policy = policy("{\"timezone\":\"UTC\",\"daily\":{\"enabled\":true,\"keep_count\":5,\"time\":\"03:00\"},"
                + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false}}");
        String db = sqliteDatabase("preview", policy);
        runDays(db, 6);
        assertThat(backupIds(db)).hasSize(5);

        Api.Response preview = api.post("/api/databases/" + db + "/retention-preview", "{\"daily\":{\"keep_count\":2}}");
        assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
        JsonNode plan = preview.json();
        assertThat(plan.get("proposed").booleanValue()).isTrue();
        assertThat(plan.get("keep_count").intValue()).isEqualTo(2);
        assertThat(plan.get("delete_count").intValue()).isEqualTo(3);
        for (JsonNode kept : plan.get("keep")) {
            assertThat(texts(kept.get("kept_by"))).contains("daily");
        }
        Set<String> toDelete = new HashSet<>();
        plan.get("delete").forEach(d -> toDelete.add(d.get("backup_id").stringValue()));
        // Nothing was deleted by looking.
        assertThat(backupIds(db)).hasSize(5);

        // Under its own policy (GET, nothing proposed) nothing is to go; the query can name a policy to weigh instead.
        JsonNode current = api.get("/api/databases/" + db + "/retention-preview").json();
        assertThat(current.get("proposed").booleanValue()).isFalse();
        assertThat(current.get("delete_count").intValue()).isZero();
        JsonNode named = api.get("/api/databases/" + db + "/retention-preview?policy_id=" + policy).json();
        assertThat(named.get("proposed").booleanValue()).isTrue();
        assertThat(named.get("delete_count").intValue()).isZero();
        Api.Response unknown = api.get("/api/databases/" + db + "/retention-preview?policy_id=policy-none");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.error()).contains("policy_id");
        Api.Response badTier = api.post("/api/databases/" + db + "/retention-preview", "{\"daily\":{\"keep_count\":-1}}");
        assertThat(badTier.status()).isEqualTo(400);
        assertThat(badTier.error()).contains("keep_count");
        Api.Response twice = api.post("/api/databases/" + db + "/retention-preview?policy_id=" + policy,
                "{\"policy_id\":{\"nested\":true}}");
        assertThat(twice.status()).as(twice.toString()).isEqualTo(400);
        assertThat(twice.error()).contains("policy_id");

        Api.Response saved = api.put("/api/backup-policies/" + policy, "{\"daily\":{\"keep_count\":2}}");
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        JsonNode applied = api.post("/api/databases/" + db + "/retention/apply", "").json();
        assertThat(applied.get("deleted_count").intValue()).isEqualTo(3);
        Set<String> deleted = new HashSet<>();
        api.get("/api/cleanup-history?database_id=" + db).json().get("cleanups").forEach(c -> {
            if ("manual".equals(c.get("triggered_by").stringValue())) {
                deleted.add(c.get("backup_id").stringValue());
            }
        });
        assertThat(deleted).isEqualTo(toDelete);
    }

    @Test
    void aLockedBackupSurvivesRetentionAndDeletionUntilUnlocked() throws Exception {
        CLOCK.set(START.plus(Duration.ofDays(80)));
        String policy = policy("{\"daily\":{\"enabled\":true,\"keep_count\":1,\"time\":\"04:00\"},"
                + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false}}");
        String db = sqliteDatabase("hold", policy);
        String first = runDays(db, 1).get(0);
        JsonNode held = BackupFlows.backup(api, first);

        assertThat(api.post("/api/backups/" + first + "/lock", "{}").status()).isEqualTo(400);
        Api.Response lock = api.post("/api/backups/" + first + "/lock", "{\"reason\":\"legal hold INC-42\"}");
        assertThat(lock.status()).as(lock.toString()).isEqualTo(200);
        assertThat(lock.json().get("backup").get("locked").booleanValue()).isTrue();
        assertThat(lock.json().get("backup").get("locked_reason").stringValue()).isEqualTo("legal hold INC-42");
        assertThat(api.post("/api/backups/" + first + "/lock", "{\"reason\":\"again\"}").status()).isEqualTo(409);

        runDays(db, 2);
        assertThat(backupIds(db)).contains(first).hasSize(2);
        JsonNode plan = api.get("/api/databases/" + db + "/retention-preview").json();
        JsonNode keptFirst = find(plan.get("keep"), first);
        assertThat(texts(keptFirst.get("kept_by"))).contains("locked");

        Api.Response delete = api.delete("/api/backups/delete?blob_name=" + Api.encode(held.get("blob_name").stringValue()));
        assertThat(delete.status()).isEqualTo(409);
        assertThat(delete.error()).contains("locked").contains("legal hold INC-42");

        assertThat(api.post("/api/backups/" + first + "/unlock", "{}").status()).isEqualTo(400);
        Api.Response unlock = api.post("/api/backups/" + first + "/unlock", "{\"reason\":\"case closed\"}");
        assertThat(unlock.status()).as(unlock.toString()).isEqualTo(200);
        assertThat(api.post("/api/databases/" + db + "/retention/apply", "").json().get("deleted_count").intValue())
                .isEqualTo(1);
        assertThat(backupIds(db)).doesNotContain(first).hasSize(1);

        JsonNode events = api.get("/api/audit?resource_id=" + first + "&action=backup_locked").json().get("logs");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("details").get("reason").stringValue()).isEqualTo("legal hold INC-42");
        assertThat(events.get(0).get("after").get("locked").booleanValue()).isTrue();
        assertThat(api.get("/api/audit?resource_id=" + first + "&action=backup_unlocked").json().get("logs")).hasSize(1);
    }

    @Test
    void aRunDueDuringDowntimeRunsOnceAtTheNextTickCountingForEveryTierItMissed() throws Exception {
        CLOCK.set(Instant.parse("2027-07-01T00:00:00Z"));
        String policy = policy("{\"daily\":{\"enabled\":true,\"keep_count\":7,\"time\":\"02:00\"},"
                + "\"weekly\":{\"enabled\":true,\"keep_count\":4,\"time\":\"02:00\",\"day_of_week\":0},"
                + "\"monthly\":{\"enabled\":false}}");
        String db = sqliteDatabase("downtime", policy);
        scheduler.tick();
        assertThat(schedule(db).get("next_run_at").stringValue()).isEqualTo("2027-07-01T02:00:00.000Z");

        // Down from before Thursday's run until Monday 10:00: four daily runs and a Sunday one were missed.
        CLOCK.set(Instant.parse("2027-07-05T10:00:00Z"));
        assertThat(schedule(db).get("overdue").booleanValue()).isTrue();
        BackupScheduler.Tick tick = scheduler.tick();
        assertThat(tick.queued()).containsKey(db);
        JsonNode backup = BackupFlows.completed(api, tick.queued().get(db));
        settle(db);
        assertThat(texts(backup.get("tiers"))).containsExactly("daily", "weekly");
        assertThat(scheduler.tick().queued()).doesNotContainKey(db);

        JsonNode schedule = schedule(db);
        assertThat(schedule.get("last_outcome").stringValue()).isEqualTo("caught_up");
        assertThat(schedule.get("last_run_at").stringValue()).isEqualTo("2027-07-01T02:00:00.000Z");
        assertThat(schedule.get("next_run_at").stringValue()).isEqualTo("2027-07-06T02:00:00.000Z");
        assertThat(schedule.get("overdue").booleanValue()).isFalse();
        assertThat(backupIds(db)).hasSize(1);
    }

    @Test
    void aTickThatComesLateButNotMissedRunsOnceCountingForEveryFireItPassed() throws Exception {
        CLOCK.set(Instant.parse("2027-08-02T00:00:00Z"));
        String policy = policy("{\"hourly\":{\"enabled\":true,\"keep_count\":24,\"interval_hours\":1},"
                + "\"daily\":{\"enabled\":true,\"keep_count\":7,\"time\":\"01:30\"},"
                + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false}}");
        String db = sqliteDatabase("late-tick", policy);
        scheduler.tick();
        assertThat(schedule(db).get("next_run_at").stringValue()).isEqualTo("2027-08-02T01:00:00.000Z");

        // The node was busy: the tick comes 40 minutes after the hourly run, past the daily one at 01:30, yet within
        // late-after (1 h here), so it is not a catch-up; still, the one backup must count for the daily tier too.
        CLOCK.set(Instant.parse("2027-08-02T01:40:00Z"));
        BackupScheduler.Tick tick = scheduler.tick();
        assertThat(tick.queued()).containsKey(db);
        JsonNode backup = BackupFlows.completed(api, tick.queued().get(db));
        settle(db);
        assertThat(texts(backup.get("tiers"))).containsExactly("hourly", "daily");
        assertThat(scheduler.tick().queued()).doesNotContainKey(db);

        JsonNode schedule = schedule(db);
        assertThat(schedule.get("last_outcome").stringValue()).isEqualTo("queued");
        assertThat(schedule.get("last_message").stringValue()).contains("1 later run");
        assertThat(schedule.get("next_run_at").stringValue()).isEqualTo("2027-08-02T02:00:00.000Z");
        assertThat(backupIds(db)).hasSize(1);
    }

    @Test
    void aDatabaseWhoseRunsDoNotHappenIsOverdueInTheScheduleAndTheSystemStatus() throws Exception {
        CLOCK.set(Instant.parse("2027-09-01T00:00:00Z"));
        String policy = policy("{\"daily\":{\"enabled\":true,\"keep_count\":2,\"time\":\"01:00\"},"
                + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false}}");
        String db = sqliteDatabase("overdue", policy);
        scheduler.tick();
        CLOCK.set(Instant.parse("2027-09-01T01:30:00Z"));
        assertThat(schedule(db).get("overdue").booleanValue()).as("within the grace hour").isFalse();
        CLOCK.set(Instant.parse("2027-09-01T02:30:00Z"));
        JsonNode schedule = schedule(db);
        assertThat(schedule.get("overdue").booleanValue()).isTrue();
        assertThat(schedule.get("overdue_since").stringValue()).isEqualTo("2027-09-01T01:00:00.000Z");
        JsonNode status = api.get("/api/system-status?include=schedules").json();
        assertThat(status.get("status").stringValue()).isEqualTo("degraded");
        assertThat(texts(status.get("services").get("schedules").get("overdue_databases"))).contains(db);
        assertThat(status.get("services").get("schedules").get("scheduling_enabled").booleanValue()).isTrue();
        assertThat(api.get("/api/schedules").json().get("scheduling_enabled").booleanValue()).isTrue();

        BackupFlows.completed(api, scheduler.tick().queued().get(db));
        assertThat(schedule(db).get("overdue").booleanValue()).isFalse();
    }

    @Test
    void aPruningInterruptedByStorageHidesTheBackupAndTheNextSweepFinishesIt() throws Exception {
        CLOCK.set(START.plus(Duration.ofDays(120)));
        String policy = policy("{\"daily\":{\"enabled\":true,\"keep_count\":1,\"time\":\"05:00\"},"
                + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false}}");
        String db = sqliteDatabase("interrupted", policy);
        String first = runDays(db, 1).get(0);
        storage.failDeletes();
        runDays(db, 1);

        JsonNode pending = api.get("/api/cleanup-history?database_id=" + db).json().get("cleanups");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("status").stringValue()).isEqualTo("pending");
        assertThat(pending.get(0).get("error_message").stringValue()).isNotBlank();
        assertThat(pending.get(0).get("backup_id").stringValue()).isEqualTo(first);
        // Marked, so no restore starts from a backup that is half deleted.
        Api.Response restore = api.post("/api/backups/" + first + "/restore", "{\"target_database_id\":\"" + db + "\"}");
        assertThat(restore.status()).as(restore.toString()).isEqualTo(409);
        assertThat(restore.error()).contains("retention");
        // The trail says the deletion did not happen, once, however often the sweep retries.
        retention.sweep();
        List<JsonNode> refused = fileDeletions(first);
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).get("status").stringValue()).isEqualTo("failed");
        assertThat(refused.get(0).get("details").get("type").stringValue()).isEqualTo("retention");
        assertThat(refused.get(0).get("error_message").stringValue()).contains("could not be deleted");

        storage.heal();
        retention.sweep();
        JsonNode done = api.get("/api/cleanup-history?database_id=" + db).json().get("cleanups");
        assertThat(done.get(0).get("status").stringValue()).isEqualTo("completed");
        assertThat(api.get("/api/backups/" + first).status()).isEqualTo(404);
        assertThat(backupIds(db)).hasSize(1);
    }

    @Test
    void aPruningPassNeverMarksTheNewestGoodBackupWhateverItsPlanSaid() throws Exception {
        // A pass plans once, then marks its deletions one by one while backups finish and verifications fail: the
        // mark checks again that a newer good backup stays. No tier: the policy itself deletes nothing here.
        String policy = policy("{\"hourly\":{\"enabled\":false},\"daily\":{\"enabled\":false},"
                + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false}}");
        String db = sqliteDatabase("stale-plan", policy);
        CLOCK.set(START.plus(Duration.ofDays(150)));
        String older = BackupFlows.completed(api, BackupFlows.trigger(api, db)).get("id").stringValue();
        CLOCK.set(START.plus(Duration.ofDays(150)).plusSeconds(60));
        String newer = BackupFlows.completed(api, BackupFlows.trigger(api, db)).get("id").stringValue();
        assertThat(mark(newer, policy)).as("the newest").isEmpty();
        jdbc.sql("UPDATE backups SET verification_status = 'failed' WHERE id = ?").param(newer).update();
        assertThat(mark(older, policy)).as("the newest whose verification did not fail").isEmpty();
        assertThat(marked(older)).isFalse();

        CLOCK.set(START.plus(Duration.ofDays(150)).plusSeconds(120));
        String newest = BackupFlows.completed(api, BackupFlows.trigger(api, db)).get("id").stringValue();
        jdbc.sql("UPDATE backups SET verification_status = 'passed' WHERE id = ?").param(newest).update();
        assertThat(mark(older, policy)).as("once a newer good backup exists").isPresent();
        assertThat(marked(older)).isTrue();
    }

    /** What a pruning pass with a stale plan does: marks the backup in a transaction of its own. */
    private java.util.Optional<dev.custos.backups.Backup> mark(String backupId, String policy) {
        return new org.springframework.transaction.support.TransactionTemplate(transactions)
                .execute(st -> pruning.mark(backupId, "stale plan", policy, "test"));
    }

    private boolean marked(String backupId) {
        return jdbc.sql("SELECT CASE WHEN pruning_at IS NULL THEN 0 ELSE 1 END FROM backups WHERE id = ?")
                .param(backupId).query(Integer.class).single() == 1;
    }

    /** The backup_file_deleted events of a backup, newest first. */
    private List<JsonNode> fileDeletions(String backupId) {
        List<JsonNode> events = new ArrayList<>();
        api.get("/api/audit?action=backup_file_deleted&resource_id=" + backupId + "&limit=100").json().get("logs")
                .forEach(events::add);
        return events;
    }

    /** Moves the clock to each of the next {@code days} due runs and waits for each backup; their ids. */
    private List<String> runDays(String db, int days) {
        scheduler.tick();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < days; i++) {
            CLOCK.set(Instant.parse(schedule(db).get("next_run_at").stringValue()).plusSeconds(1));
            BackupScheduler.Tick tick = scheduler.tick();
            assertThat(tick.queued()).containsKey(db);
            ids.add(BackupFlows.completed(api, tick.queued().get(db)).get("id").stringValue());
            settle(db);
        }
        return ids;
    }

    /**
     * Waits for the retention that follows each completed backup (it runs just after the backup is recorded): nothing
     * left to prune, and every pruning finished (or, with storage failing, recorded as pending with its error).
     */
    private void settle(String db) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get("/api/databases/" + db + "/retention-preview").json().get("delete_count").intValue() == 0
                        && allSettled(api.get("/api/cleanup-history?database_id=" + db).json().get("cleanups")));
    }

    private static boolean allSettled(JsonNode cleanups) {
        for (JsonNode c : cleanups) {
            if ("pending".equals(c.get("status").stringValue()) && c.get("error_message").isNull()) {
                return false;
            }
        }
        return true;
    }

    private JsonNode schedule(String db) {
        Api.Response response = api.get("/api/schedules?database_id=" + db);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("schedules").get(0);
    }

    private Set<String> backupIds(String db) {
        Set<String> ids = new HashSet<>();
        api.get("/api/backups?page_size=100&database_id=" + db).json().get("backups")
                .forEach(b -> ids.add(b.get("id").stringValue()));
        return ids;
    }

    private String policy(String fields) {
        String body = "{\"name\":\"" + unique("policy") + "\"," + fields.substring(1);
        Api.Response response = api.post("/api/backup-policies", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("policy").get("id").stringValue();
    }

    private String sqliteDatabase(String name, String policy) throws Exception {
        Path file = Files.createTempDirectory("custos-sqlite").resolve(name + ".db");
        Sql.sqlite(file.toString(), "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1), (2), (3)");
        Api.Response response = api.post("/api/databases", Api.json("name", unique(name), "database_type", "sqlite",
                "database_name", file.toString(), "policy_id", policy));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        String id = response.json().get("database").get("id").stringValue();
        mine.add(id);
        return id;
    }

    private static JsonNode find(JsonNode items, String backupId) {
        for (JsonNode item : items) {
            if (item.get("backup_id").stringValue().equals(backupId)) {
                return item;
            }
        }
        throw new AssertionError(backupId + " not in " + items);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.stringValue()));
        return out;
    }

    private static Path ownDir() {
        try {
            return Files.createTempDirectory("custos-schedules-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
