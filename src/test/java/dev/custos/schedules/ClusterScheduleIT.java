package dev.custos.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.custos.app.CustosApplication;
import dev.custos.support.Api;
import dev.custos.support.FreshPostgresDatabases;
import dev.custos.support.SettableClock;
import dev.custos.support.Sql;

/**
 * Two Custos nodes on one PostgreSQL catalog and one storage: each scheduled run is queued exactly once. Both nodes'
 * db-scheduler ticks run every second, and the test also calls both nodes' ticks at the same instant, so the claim
 * of a due run is raced for real. They share a clock the test moves.
 */
class ClusterScheduleIT {

    private static final SettableClock CLOCK = new SettableClock(Instant.parse("2027-05-03T00:00:00Z"));
    private static final FreshPostgresDatabases catalogs = new FreshPostgresDatabases();
    private static final int DATABASES = 8;

    private static ConfigurableApplicationContext first;
    private static ConfigurableApplicationContext second;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        String catalog = ((PGSimpleDataSource) catalogs.create()).getUrl();
        Path data = Files.createTempDirectory("custos-cluster-");
        first = node(catalog, data);
        second = node(catalog, data);
    }

    @AfterAll
    static void stop() throws Exception {
        for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] { first, second }) {
            if (node != null) {
                node.close();
            }
        }
        catalogs.dropAll();
    }

    @Test
    void twoNodesOnOneCatalogQueueEachScheduledRunOnce() throws Exception {
        Api api = api(first);
        Api other = api(second);
        String policy = api.post("/api/backup-policies", "{\"name\":\"cluster-" + System.nanoTime()
                + "\",\"daily\":{\"enabled\":true,\"keep_count\":2,\"time\":\"02:00\"},"
                + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false}}").json().get("policy").get("id").stringValue();
        List<String> databases = new ArrayList<>();
        for (int i = 0; i < DATABASES; i++) {
            Path file = Files.createTempDirectory("custos-sqlite").resolve("cluster" + i + ".db");
            Sql.sqlite(file.toString(), "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (" + i + ")");
            Api.Response created = (i % 2 == 0 ? api : other).post("/api/databases", Api.json("name", "cluster-" + i
                    + "-" + System.nanoTime(), "database_type", "sqlite", "database_name", file.toString(), "policy_id", policy));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            databases.add(created.json().get("database").get("id").stringValue());
        }
        // Both nodes' own ticks (every second) plan the new databases' next runs.
        await().atMost(Duration.ofSeconds(30)).until(() -> databases.stream().allMatch(db -> planned(first, db)));

        for (int day = 0; day < 3; day++) {
            Instant due = Instant.parse("2027-05-03T02:00:00Z").plus(Duration.ofDays(day));
            CLOCK.set(due.plusSeconds(1));
            CyclicBarrier together = new CyclicBarrier(2);
            CompletableFuture<BackupScheduler.Tick> a = CompletableFuture.supplyAsync(() -> tickAt(first, together));
            CompletableFuture<BackupScheduler.Tick> b = CompletableFuture.supplyAsync(() -> tickAt(second, together));
            a.get();
            b.get();
            int runs = day + 1;
            // Daily keep 2: from the third run on, retention (on PostgreSQL) prunes the oldest after each backup.
            int kept = Math.min(runs, 2);
            await().atMost(Duration.ofMinutes(2)).until(() -> databases.stream()
                    .allMatch(db -> completedScheduled(api, db) == kept && pruned(api, db) == runs - kept));
            // Both nodes' own ticks (every second) had their chances at the same due runs meanwhile.
            for (String db : databases) {
                assertThat(scheduledBackups(api, db) + pruned(api, db)).as("%s on day %d", db, day).isEqualTo(runs);
            }
        }
        JsonNode skipped = api.get("/api/audit?action=scheduled_backup_skipped").json();
        assertThat(skipped.get("total").longValue()).as("a second node found a run busy: it tried to queue it twice")
                .isZero();
    }

    private static boolean planned(ConfigurableApplicationContext node, String db) {
        return node.getBean(ScheduleRepository.class).all().containsKey(db);
    }

    private static BackupScheduler.Tick tickAt(ConfigurableApplicationContext node, CyclicBarrier together) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return node.getBean(BackupScheduler.class).tick();
    }

    private static int scheduledBackups(Api api, String db) {
        return api.get("/api/backups?page_size=100&triggered_by=scheduler&database_id=" + db).json()
                .get("total_count").intValue();
    }

    /** Backups of the database retention has deleted, completely. */
    private static int pruned(Api api, String db) {
        int n = 0;
        for (JsonNode c : api.get("/api/cleanup-history?database_id=" + db).json().get("cleanups")) {
            n += "completed".equals(c.get("status").stringValue()) ? 1 : 0;
        }
        return n;
    }

    private static int completedScheduled(Api api, String db) {
        return api.get("/api/backups?page_size=100&status=completed&triggered_by=scheduler&database_id=" + db).json()
                .get("total_count").intValue();
    }

    private static JsonNode schedule(Api api, String db) {
        return api.get("/api/schedules?database_id=" + db).json().get("schedules").get(0);
    }

    private static Api api(ConfigurableApplicationContext node) {
        return new Api(((WebServerApplicationContext) node).getWebServer().getPort());
    }

    private static ConfigurableApplicationContext node(String catalog, Path data) {
        // Command-line arguments outrank the test configuration files, which turn schedules off.
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        properties.put("server.port", "0");
        properties.put("custos.data-dir", data.toString());
        properties.put("custos.catalog.url", catalog);
        properties.put("custos.catalog.username", "postgres");
        properties.put("custos.schedules.enabled", "true");
        properties.put("custos.schedules.tick-interval", "1s");
        properties.put("custos.schedules.late-after", "1h");
        properties.put("db-scheduler.polling-interval", "1s");
        return new SpringApplicationBuilder(CustosApplication.class)
                .initializers(context -> ((GenericApplicationContext) context).registerBean("settableClock", Clock.class,
                        () -> CLOCK, definition -> definition.setPrimary(true)))
                .run(properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }
}
