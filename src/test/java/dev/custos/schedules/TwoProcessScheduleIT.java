package dev.custos.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import tools.jackson.databind.JsonNode;

import dev.custos.engines.RealServers;
import dev.custos.support.Api;
import dev.custos.support.CustosProcess;
import dev.custos.support.FreshPostgresDatabases;
import dev.custos.support.Sql;

/**
 * Issue 7's promise for real: two Custos processes on one PostgreSQL catalog never run a scheduled backup twice.
 * Unlike {@link ClusterScheduleIT} (two Spring contexts in one JVM, a shared settable clock, ticks called by hand),
 * these are two JVMs on the real clock, ticked only by their own db-scheduler every 2 s, backing up a real PostgreSQL
 * database with pg_dump every minute. They share one data directory: the master key (each decrypts what the other
 * encrypted: the source's password, the download-link key), the audit signing key and the backup storage.
 *
 * <p>Each due minute must have exactly one scheduled backup, completed; nothing skipped or missed; and both processes
 * must have ticked, or the test would prove nothing about two of them.
 */
class TwoProcessScheduleIT {

    private static final FreshPostgresDatabases catalogs = new FreshPostgresDatabases();
    private static final RealServers servers = new RealServers();
    private static final String TICK_TASK = "custos-schedule-tick";
    /** One tick of each node, plus db-scheduler's polling, with room for a busy machine. */
    private static final Duration BOTH_NODES_HAD_A_GO = Duration.ofSeconds(8);

    @AfterAll
    static void drop() throws Exception {
        catalogs.dropAll();
        servers.dropAll();
    }

    @Test
    void twoProcessesOnOneCatalogQueueEachDueMinuteOnce() throws Exception {
        String catalogUrl = ((PGSimpleDataSource) catalogs.create()).getUrl();
        String catalog = catalogUrl.substring(catalogUrl.lastIndexOf('/') + 1);
        String source = servers.postgresDatabase();
        Sql.postgres(source, "CREATE TABLE readings (id int PRIMARY KEY, sensor text, value double precision)",
                "INSERT INTO readings SELECT g, 'sensor-' || (g % 7), g * 0.5 FROM generate_series(1, 1000) g");
        Path data = Files.createTempDirectory("custos-two-process-");
        CustosProcess first = null;
        CustosProcess second = null;
        try {
            // One after the other, as an operator adds a node: the first creates the master key and the audit signing
            // key, the second finds them. (Starting at once is safe too: SecretBoxTest and SigningKeyTest race that.)
            first = CustosProcess.start(data, jvm(), arguments(catalogUrl, "node-a"));
            assertThat(data.resolve("master.key")).exists();
            second = CustosProcess.start(data, jvm(), arguments(catalogUrl, "node-b"));
            Api a = first.api();
            Api b = second.api();
            assertThat(a.get("/api/health").status()).isEqualTo(200);
            assertThat(b.get("/api/health").status()).isEqualTo(200);

            // No tier enabled: the policy keeps every backup for default_retention_days, so retention prunes none of
            // them and every scheduled run stays countable in the backup list.
            Api.Response policy = a.post("/api/backup-policies", "{\"name\":\"two-process-" + System.nanoTime()
                    + "\",\"timezone\":\"UTC\",\"hourly\":{\"enabled\":false},\"daily\":{\"enabled\":false},"
                    + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false},\"yearly\":{\"enabled\":false}}");
            assertThat(policy.status()).as(policy.toString()).isEqualTo(201);
            // Registered through the second node, with a password (trust authentication ignores it) that it encrypts
            // and whichever node runs a backup must decrypt.
            Api.Response created = b.post("/api/databases", Api.json("name", "two-process", "database_type", "postgresql",
                    "host", RealServers.HOST, "port", RealServers.POSTGRES_PORT, "database_name", source,
                    "username", "postgres", "password", "unused-with-trust", "compression", "zstd",
                    "policy_id", policy.json().get("policy").get("id").stringValue(), "schedule", "* * * * *"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            JsonNode database = created.json().get("database");
            String db = database.get("id").stringValue();
            // A new database's first run is the first fire strictly after it was added.
            Instant firstDue = Instant.parse(database.get("created_at").stringValue()).truncatedTo(ChronoUnit.MINUTES)
                    .plus(Duration.ofMinutes(1));
            Instant secondDue = firstDue.plus(Duration.ofMinutes(1));
            Instant started = Instant.now();

            await().atMost(Duration.between(Instant.now(), secondDue).plus(Duration.ofSeconds(90)))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        List<JsonNode> backups = scheduled(a, db);
                        return byMinute(backups).containsKey(secondDue) && backups.stream().allMatch(TwoProcessScheduleIT::completed);
                    });
            // Both nodes' ticks have looked at the runs that are already done: none may come again.
            await("no due minute with two scheduled backups").during(BOTH_NODES_HAD_A_GO).atMost(BOTH_NODES_HAD_A_GO.multipliedBy(3))
                    .until(() -> byMinute(scheduled(b, db)).values().stream().allMatch(runs -> runs.size() == 1));
            Duration waited = Duration.between(started, Instant.now());

            // The schedule row first, the backups after: the run it last moved on was queued in the same transaction,
            // so its backup is in any list read later.
            JsonNode schedule = a.get("/api/schedules?database_id=" + db).json().get("schedules").get(0);
            List<JsonNode> backups = scheduled(a, db);
            TreeMap<Instant, List<JsonNode>> minutes = byMinute(backups);
            assertThat(minutes.values()).as("scheduled backups by due minute: %s", minutes)
                    .allSatisfy(runs -> assertThat(runs).hasSize(1));
            Instant lastDue = minutes.isEmpty() ? firstDue : minutes.lastKey();
            assertThat(minutes.keySet()).as("every due minute from the first after registration, and no other")
                    .containsExactlyElementsOf(dueMinutes(firstDue, lastDue))
                    .contains(firstDue, secondDue);
            assertThat(backups).allSatisfy(backup -> {
                assertThat(completed(backup)).as(backup.toString()).isTrue();
                assertThat(backup.get("file_size_bytes").longValue()).isPositive();
            });
            assertThat(schedule.get("last_outcome").stringValue()).as(schedule.toString()).isEqualTo("queued");
            assertThat(minutes).containsKey(Instant.parse(schedule.get("last_run_at").stringValue()));

            // The audit trail counts queued runs even if their backups were gone: one backup_triggered per minute.
            List<JsonNode> triggered = audit(b, "backup_triggered").stream()
                    .filter(e -> db.equals(e.get("details").get("database_id").stringValue())
                            && "scheduler".equals(e.get("details").get("triggered_by").stringValue()))
                    .toList();
            Map<Instant, List<JsonNode>> triggeredByMinute = triggered.stream().collect(Collectors.groupingBy(
                    e -> Instant.parse(e.get("timestamp").stringValue()).truncatedTo(ChronoUnit.MINUTES), TreeMap::new,
                    Collectors.toList()));
            assertThat(triggeredByMinute.values()).as("backup_triggered by minute").allSatisfy(e -> assertThat(e).hasSize(1));
            assertThat(triggeredByMinute.keySet()).containsAll(minutes.keySet());
            assertThat(audit(a, "scheduled_backup_skipped")).as("a run found its backup busy: queued twice").isEmpty();
            assertThat(audit(a, "scheduled_backup_missed")).isEmpty();
            assertThat(a.get("/api/cleanup-history?database_id=" + db).json().get("cleanups")).isEmpty();

            // Both were up all along, and both took turns at the tick (db-scheduler logs each execution it picks).
            assertThat(first.isAlive()).isTrue();
            assertThat(second.isAlive()).isTrue();
            assertThat(a.get("/api/health").status()).isEqualTo(200);
            assertThat(b.get("/api/health").status()).isEqualTo(200);
            long ticksA = ticks(first);
            long ticksB = ticks(second);
            assertThat(ticksA).as("ticks picked by node-a; see %s", first.log()).isPositive();
            assertThat(ticksB).as("ticks picked by node-b; see %s", second.log()).isPositive();
            List<String> tickRow = Sql.postgresRows(catalog, "SELECT picked, coalesce(consecutive_failures, 0),"
                    + " last_success > now() - interval '1 minute' FROM scheduled_tasks WHERE task_name = '" + TICK_TASK + "'");
            assertThat(tickRow).as("the tick's row in scheduled_tasks (picked, failures, recent success)").hasSize(1);
            assertThat(tickRow.get(0)).endsWith("|0|t");
            System.out.printf("TwoProcessScheduleIT: %d due minutes, %d scheduled backups, ticks node-a %d node-b %d,"
                    + " waited %d s after registration%n", minutes.size(), backups.size(), ticksA, ticksB, waited.toSeconds());
        } finally {
            for (CustosProcess process : new CustosProcess[] { second, first }) {
                if (process != null) {
                    process.close();
                }
            }
        }
    }

    private static List<String> jvm() {
        // Two child JVMs on a small machine: a small heap, and the quick compiler only (they run for minutes).
        return List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");
    }

    private static List<String> arguments(String catalogUrl, String name) {
        return List.of("--custos.catalog.url=" + catalogUrl, "--custos.catalog.username=postgres",
                "--custos.schedules.enabled=true", "--custos.schedules.tick-interval=2s",
                "--db-scheduler.polling-interval=1s", "--db-scheduler.scheduler-name=" + name,
                // Each tick execution this node picks appears in its log as "Executing: Execution: task=...".
                "--logging.level.com.github.kagkarlsson.scheduler.ExecutePicked=debug");
    }

    /** Scheduled backups of the database, by the minute they were queued in (a run is queued within seconds). */
    private static TreeMap<Instant, List<JsonNode>> byMinute(List<JsonNode> backups) {
        return backups.stream().collect(Collectors.groupingBy(
                b -> Instant.parse(b.get("created_at").stringValue()).truncatedTo(ChronoUnit.MINUTES), TreeMap::new,
                Collectors.toList()));
    }

    private static List<Instant> dueMinutes(Instant first, Instant last) {
        List<Instant> minutes = new ArrayList<>();
        for (Instant m = first; !m.isAfter(last); m = m.plus(Duration.ofMinutes(1))) {
            minutes.add(m);
        }
        return minutes;
    }

    private static List<JsonNode> scheduled(Api api, String db) {
        Api.Response response = api.get("/api/backups?page_size=100&triggered_by=scheduler&database_id=" + db);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        response.json().get("backups").forEach(out::add);
        return out;
    }

    private static boolean completed(JsonNode backup) {
        return "completed".equals(backup.get("status").stringValue());
    }

    private static List<JsonNode> audit(Api api, String action) {
        Api.Response response = api.get("/api/audit?limit=1000&action=" + action);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        response.json().get("logs").forEach(out::add);
        return out;
    }

    private static long ticks(CustosProcess process) throws IOException {
        return new String(Files.readAllBytes(process.log()), StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("Executing: ") && line.contains("task=" + TICK_TASK)).count();
    }
}
