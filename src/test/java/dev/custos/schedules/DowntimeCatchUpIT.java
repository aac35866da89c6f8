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

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.custos.app.CustosApplication;
import dev.custos.support.Api;
import dev.custos.support.SettableClock;
import dev.custos.support.Sql;

/**
 * Downtime for real: the service is stopped, time moves on, the service starts again on the same catalog. Nothing
 * calls the scheduler by hand: db-scheduler's first tick after start-up catches the missed run up, once.
 */
class DowntimeCatchUpIT {

    private static final SettableClock CLOCK = new SettableClock(Instant.parse("2027-10-04T00:00:00Z"));

    @Test
    void aRunDueWhileCustosWasDownRunsOnceAfterStartUpAndNotAtAllWithCatchUpOff() throws Exception {
        Path data = Files.createTempDirectory("custos-downtime-");
        String db;
        try (ConfigurableApplicationContext node = start(data, true)) {
            Api api = api(node);
            String policy = api.post("/api/backup-policies", "{\"name\":\"downtime-" + System.nanoTime()
                    + "\",\"daily\":{\"enabled\":true,\"keep_count\":7,\"time\":\"02:00\"},"
                    + "\"weekly\":{\"enabled\":false},\"monthly\":{\"enabled\":false}}").json().get("policy").get("id")
                    .stringValue();
            Path file = data.resolve("source.db");
            Sql.sqlite(file.toString(), "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)");
            db = api.post("/api/databases", Api.json("name", "downtime", "database_type", "sqlite", "database_name",
                    file.toString(), "policy_id", policy)).json().get("database").get("id").stringValue();
            // The scheduler's own tick (every second) has planned its first run before Custos goes down.
            await().atMost(Duration.ofSeconds(30)).until(() -> node.getBean(ScheduleRepository.class).all().containsKey(db));
            assertThat(schedule(api, db).get("next_run_at").stringValue()).isEqualTo("2027-10-04T02:00:00.000Z");
        }

        // Down over three days' runs.
        CLOCK.set(Instant.parse("2027-10-06T09:00:00Z"));
        try (ConfigurableApplicationContext node = start(data, true)) {
            Api api = api(node);
            await().atMost(Duration.ofSeconds(60)).until(() -> scheduled(api, db).size() == 1
                    && "completed".equals(scheduled(api, db).get(0).get("status").stringValue()));
            // Its ticks go on every second; the missed runs stay one backup.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> scheduled(api, db).size() == 1);
            JsonNode schedule = schedule(api, db);
            assertThat(schedule.get("last_outcome").stringValue()).isEqualTo("caught_up");
            assertThat(schedule.get("next_run_at").stringValue()).isEqualTo("2027-10-07T02:00:00.000Z");
        }

        // Down again, now with catch-up off: the run is recorded as missed, and nothing runs.
        CLOCK.set(Instant.parse("2027-10-08T09:00:00Z"));
        try (ConfigurableApplicationContext node = start(data, false)) {
            Api api = api(node);
            await().atMost(Duration.ofSeconds(60)).until(() -> "missed".equals(schedule(api, db).get("last_outcome").stringValue()));
            assertThat(scheduled(api, db)).hasSize(1);
            JsonNode missed = api.get("/api/audit?action=scheduled_backup_missed&resource_id=" + db).json().get("logs");
            assertThat(missed).hasSize(1);
            assertThat(missed.get(0).get("status").stringValue()).isEqualTo("failed");
            assertThat(missed.get(0).get("details").get("due_at").stringValue()).isEqualTo("2027-10-07T02:00:00Z");
            assertThat(schedule(api, db).get("next_run_at").stringValue()).isEqualTo("2027-10-09T02:00:00.000Z");
        }
    }

    private static List<JsonNode> scheduled(Api api, String db) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/api/backups?triggered_by=scheduler&database_id=" + db).json().get("backups").forEach(out::add);
        return out;
    }

    private static JsonNode schedule(Api api, String db) {
        return api.get("/api/schedules?database_id=" + db).json().get("schedules").get(0);
    }

    private static Api api(ConfigurableApplicationContext node) {
        return new Api(((WebServerApplicationContext) node).getWebServer().getPort());
    }

    private static ConfigurableApplicationContext start(Path data, boolean catchUp) {
        return new SpringApplicationBuilder(CustosApplication.class)
                .initializers(context -> ((GenericApplicationContext) context).registerBean("settableClock", Clock.class,
                        () -> CLOCK, definition -> definition.setPrimary(true)))
                // Command-line arguments outrank the test configuration files, which turn schedules off.
                .run("--server.port=0", "--custos.data-dir=" + data, "--custos.schedules.enabled=true",
                        "--custos.schedules.tick-interval=1s", "--custos.schedules.late-after=1h",
                        "--custos.schedules.catch-up=" + catchUp, "--db-scheduler.polling-interval=1s");
    }
}
