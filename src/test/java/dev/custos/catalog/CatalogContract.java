package dev.custos.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.api.Paging;
import dev.custos.app.CustosApplication;
import dev.custos.backups.Backup;
import dev.custos.backups.BackupService;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.databases.DatabaseConfig;
import dev.custos.databases.DatabaseService;
import dev.custos.engines.Engine;
import dev.custos.engines.EngineService;
import dev.custos.policies.Policy;
import dev.custos.policies.PolicyService;
import dev.custos.settings.Settings;
import dev.custos.settings.SettingsService;

/**
 * What the catalog must do the same way on every database it runs on. Subclasses only point Custos at a
 * catalog (SQLite, PostgreSQL); every test here runs against each. Tests go through the feature services, so
 * they cover the SQL of every repository as the API uses it.
 */
@SpringBootTest(classes = CustosApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
abstract class CatalogContract {

    @Autowired
    EngineService engines;
    @Autowired
    DatabaseService databases;
    @Autowired
    PolicyService policies;
    @Autowired
    SettingsService settings;
    @Autowired
    BackupService backups;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    JsonMapper json;

    JsonBody body(Object... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return JsonBody.of(json.valueToTree(map));
    }

    static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    Engine engine(String name) {
        return engines.create(body("name", name, "engine_type", "postgresql", "host", "pg.example.internal", "port", 5432,
                "username", "backup", "password", "engine-secret")).engine();
    }

    DatabaseConfig database(String name, String host, String dbName) {
        return databases.create(body("name", name, "database_type", "mysql", "host", host, "port", 3306,
                "database_name", dbName, "username", "u", "password", "db-secret"));
    }

    @Test
    void backupJobsGoThroughTheQueueAndHistoryOfThisCatalog() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("custos-contract").resolve("app.db");
        dev.custos.support.Sql.sqlite(file.toString(), "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)");
        DatabaseConfig db = databases.create(body("name", unique("lite"), "database_type", "sqlite",
                "database_name", file.toString()));

        BackupService.Queued first = backups.trigger(db.id(), "manual", java.util.List.of());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(1))
                .until(() -> backups.get(first.backupId()).status().equals("completed"));
        Backup done = backups.get(first.backupId());
        assertThat(done.checksumSha256()).hasSize(64);
        assertThat(done.blobName()).startsWith("sqlite/" + db.id() + "/");
        assertThat(backups.logs(done.id())).extracting(l -> l.message()).last().isEqualTo("Completed");

        BackupService.Query query = new BackupService.Query(db.id(), null, "completed", "manual", "sqlite", null, null);
        assertThat(backups.list(query, 1, 10).backups()).extracting(Backup::id).containsExactly(done.id());
        assertThat(backups.list(query, 1, 10).total()).isEqualTo(1);

        assertThatThrownBy(() -> backups.cancel(done.id())).isInstanceOf(ApiException.class)
                .hasMessageContaining("already completed");
    }

    @Test
    void anEngineReadsBackAsWritten() {
        Engine created = engine(unique("Engine"));

        Engine read = engines.get(created.id());

        assertThat(read).isEqualTo(created);
        assertThat(read.id()).startsWith("engine-").hasSize("engine-".length() + 24);
        assertThat(read.hasPassword()).isTrue();
        assertThat(read.createdAt().toEpochMilli() % 1000).isEqualTo(created.createdAt().toEpochMilli() % 1000);
    }

    @Test
    void engineNamesAreUniqueIgnoringCase() {
        String name = unique("Same Name");
        engine(name);

        assertThatThrownBy(() -> engine(name.toUpperCase()))
                .isInstanceOf(ApiException.class).hasMessageContaining("already exists");
    }

    @Test
    void aDatabaseKeepsTagsCompressionScheduleAndNullablePort() {
        String path = "/var/lib/app/" + unique("app") + ".db";
        DatabaseConfig sqlite = databases.create(body("name", unique("Files"), "database_type", "sqlite",
                "database_name", path, "tags", Map.of("team", "payments", "tier", 1), "compression", "zstd",
                "schedule", "0 */6 * * *"));

        DatabaseConfig read = databases.get(sqlite.id());

        assertThat(read.host()).isNull();
        assertThat(read.port()).isNull();
        assertThat(read.databaseName()).isEqualTo(path);
        assertThat(read.tags()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "payments", "tier", "1"));
        assertThat(read.compression()).isEqualTo("zstd");
        assertThat(read.schedule()).isEqualTo("0 */6 * * *");
        assertThat(read.policyId()).isEqualTo(PolicyService.DEFAULT_POLICY_ID);
    }

    @Test
    void passwordsAreStoredEncryptedAndDecryptForConnecting() {
        DatabaseConfig db = database(unique("Secret"), "mysql.example.internal", unique("shop"));

        String stored = jdbc.sql("SELECT password_enc FROM databases WHERE id = ?").param(db.id()).query(String.class).single();
        ConnectionTarget target = databases.target(db.id());

        assertThat(stored).startsWith("v1:").doesNotContain("db-secret");
        assertThat(target.password()).isEqualTo("db-secret");
        assertThat(db.hasPassword()).isTrue();
    }

    @Test
    void aDatabaseOnAnEngineInheritsItsCredentials() {
        Engine engine = engine(unique("Creds"));
        DatabaseConfig db = databases.create(body("name", unique("Inherit"), "database_type", "postgresql",
                "engine_id", engine.id(), "use_engine_credentials", true, "database_name", "orders"));

        ConnectionTarget target = databases.target(db.id());

        assertThat(db.engineName()).isEqualTo(engine.name());
        assertThat(db.host()).isEqualTo("pg.example.internal");
        assertThat(db.username()).isEqualTo("backup");
        assertThat(target.password()).isEqualTo("engine-secret");
        assertThat(engines.get(engine.id()).databaseCount()).isEqualTo(1);
    }

    @Test
    void searchMatchesNameHostAndDatabaseNameIgnoringCaseAndTreatsWildcardsLiterally() {
        String marker = unique("zq");
        DatabaseConfig byName = database("Billing " + marker.toUpperCase(), "h1.example.internal", unique("x"));
        DatabaseConfig byHost = database(unique("Other"), marker + ".example.internal", unique("y"));
        DatabaseConfig byDb = database(unique("Third"), "h3.example.internal", marker + "_db");
        database(unique("Percent%"), "h4.example.internal", unique("z"));

        List<String> found = ids(databases.list(query(marker, null, null), new Paging(100, 0)).databases());
        List<String> percent = ids(databases.list(query("%", null, null), new Paging(1000, 0)).databases());
        List<String> underscore = ids(databases.list(query(marker + "_", null, null), new Paging(100, 0)).databases());

        assertThat(found).containsExactlyInAnyOrder(byName.id(), byHost.id(), byDb.id());
        assertThat(percent).allSatisfy(id -> assertThat(databases.get(id).name()).contains("%"));
        assertThat(underscore).containsExactly(byDb.id());
    }

    @Test
    void filtersCombineAndPagesAreStableWithATotal() {
        String host = unique("pagehost") + ".example.internal";
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(database(unique("Page " + i), host, "db" + i).id());
        }
        databases.update(created.get(0), body("enabled", false));

        DatabaseService.Page first = databases.list(query(null, host.toUpperCase(), null), new Paging(3, 0));
        DatabaseService.Page rest = databases.list(query(null, host, null), new Paging(10, 3));
        DatabaseService.Page enabled = databases.list(new dev.custos.databases.DatabaseService.Query(true, "mysql", null,
                host, null, null), new Paging(10, 0));

        assertThat(first.total()).isEqualTo(7);
        assertThat(first.databases()).hasSize(3);
        List<String> all = new ArrayList<>(ids(first.databases()));
        all.addAll(ids(rest.databases()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(created);
        assertThat(enabled.total()).isEqualTo(6);
        assertThat(ids(enabled.databases())).doesNotContain(created.get(0));
    }

    @Test
    void cachedTotalsFollowEveryKindOfWrite() {
        Engine engine = engine(unique("Totals"));
        String host = unique("totals") + ".example.internal";
        DatabaseService.Query onHost = query(null, host, null);
        DatabaseService.Query searched = query(host, null, null);
        assertThat(databases.list(onHost, new Paging(10, 0)).total()).isZero();

        DatabaseConfig own = database(unique("Own"), host, "a");
        assertThat(databases.list(onHost, new Paging(10, 0)).total()).isEqualTo(1);
        assertThat(databases.list(searched, new Paging(10, 0)).total()).isEqualTo(1);

        databases.create(body("name", unique("OnEngine"), "database_type", "postgresql", "engine_id", engine.id(),
                "use_engine_credentials", true, "database_name", "b"));
        engines.update(engine.id(), body("host", host));
        assertThat(databases.list(onHost, new Paging(10, 0)).total()).isEqualTo(2);
        assertThat(databases.list(searched, new Paging(10, 0)).total()).isEqualTo(2);

        databases.update(own.id(), body("host", "elsewhere." + host.substring(0, 5) + ".internal"));
        assertThat(databases.list(onHost, new Paging(10, 0)).total()).isEqualTo(1);

        engines.delete(engine.id(), true, false);
        assertThat(databases.list(onHost, new Paging(10, 0)).total()).isZero();
        assertThat(databases.list(searched, new Paging(10, 0)).total()).isZero();
    }

    @Test
    void cachedPagesShowEveryWriteAtOnceWhoeverMadeIt() {
        Engine engine = engine(unique("Pages"));
        String marker = unique("pagecache");
        DatabaseConfig onEngine = databases.create(body("name", marker + "-a", "database_type", "postgresql",
                "engine_id", engine.id(), "use_engine_credentials", true, "database_name", "a"));
        DatabaseService.Query query = query(marker, null, null);
        Paging page = new Paging(25, 0);
        assertThat(only(databases.list(query, page)).engineName()).isEqualTo(engine.name());
        assertThat(only(databases.list(query, page))).isSameAs(only(databases.list(query, page)));

        // Through the services: the engine's name and the credentials its databases inherit.
        String renamed = unique("Renamed");
        engines.update(engine.id(), body("name", renamed, "username", "other-user"));
        assertThat(only(databases.list(query, page)).engineName()).isEqualTo(renamed);
        assertThat(only(databases.list(query, page)).username()).isEqualTo("other-user");

        // As another Custos process sharing the catalog would: straight into the tables, around this one's services.
        jdbc.sql("UPDATE engines SET password_enc = NULL WHERE id = ?").param(engine.id()).update();
        assertThat(only(databases.list(query, page)).hasPassword()).isFalse();
        jdbc.sql("UPDATE databases SET tags = ? WHERE id = ?").params("{\"team\":\"ledger\"}", onEngine.id()).update();
        assertThat(only(databases.list(query, page)).tags()).containsExactlyEntriesOf(Map.of("team", "ledger"));
        DatabaseConfig second = database(marker + "-b", "h.example.internal", "b");
        assertThat(ids(databases.list(query, page).databases())).containsExactly(onEngine.id(), second.id());
        assertThat(ids(databases.list(query, new Paging(1, 1)).databases())).containsExactly(second.id());

        jdbc.sql("DELETE FROM databases WHERE id = ?").param(second.id()).update();
        assertThat(ids(databases.list(query, page).databases())).containsExactly(onEngine.id());
        // Larger pages than the cache keeps are read every time, and agree.
        assertThat(ids(databases.list(query, new Paging(1000, 0)).databases())).containsExactly(onEngine.id());
    }

    @Test
    void aCursorWalksTheListInTheOrderOfOffsetPagesWhateverTheNamesHold() {
        // The cursor compares (name, id) in the catalog's own collation, the one ORDER BY uses; display names need not
        // be unique, so the id orders a tie, here across a page boundary.
        String marker = unique("walk");
        List<String> names = List.of(marker + " a", marker + " a", marker + " a", marker + " B", marker + " b'x", marker + " ä", marker + " _%",
                marker + " Z", marker + " 10", marker + " 9");
        for (String name : names) {
            database(name, "walk.example.internal", unique("w"));
        }
        DatabaseService.Query query = query(marker, null, null);
        List<String> all = ids(databases.list(query, new Paging(100, 0)).databases());

        List<String> walked = new ArrayList<>();
        String cursor = null;
        do {
            DatabaseService.Page page = databases.list(query, new Paging(2, 0), cursor);
            walked.addAll(ids(page.databases()));
            assertThat(page.total()).isEqualTo(names.size());
            cursor = page.nextCursor();
            assertThat(page.more()).isEqualTo(cursor != null);
        } while (cursor != null);

        assertThat(walked).containsExactlyElementsOf(all).hasSize(names.size());
    }

    private static DatabaseConfig only(DatabaseService.Page page) {
        assertThat(page.databases()).hasSize(1);
        return page.databases().get(0);
    }

    @Test
    void aPolicyKeepsItsTiersAndMovesItsDatabasesWhenDeleted() {
        Policy p = policies.create(body("name", unique("Critical"), "timezone", "Europe/Berlin",
                "hourly", Map.of("enabled", true, "keep_count", 24, "interval_hours", 2),
                "yearly", Map.of("enabled", true, "keep_count", 5, "month", 3, "day_of_month", 31)));
        DatabaseConfig db = databases.create(body("name", unique("OnPolicy"), "database_type", "sqlite",
                "database_name", "/tmp/" + unique("p") + ".db", "policy_id", p.id()));

        Policy read = policies.get(p.id());
        policies.delete(p.id(), PolicyService.DEFAULT_POLICY_ID);

        assertThat(read).isEqualTo(p);
        assertThat(read.timezone()).isEqualTo("Europe/Berlin");
        assertThat(read.hourly().intervalHours()).isEqualTo(2);
        assertThat(read.yearly().month()).isEqualTo(3);
        assertThat(read.yearly().dayOfMonth()).isEqualTo(31);
        assertThat(policies.exists(p.id())).isFalse();
        assertThat(databases.get(db.id()).policyId()).isEqualTo(PolicyService.DEFAULT_POLICY_ID);
        List<String> moved = jdbc.sql("SELECT details FROM audit_events WHERE resource_id = ? AND action = 'database_updated'")
                .param(db.id()).query(String.class).list();
        assertThat(moved).singleElement().asString().contains("deletion of policy " + p.id(), "policy_id");
    }

    @Test
    void settingsUpdateInPlace() {
        Settings before = settings.get();

        Settings after = settings.update(body("default_retention_days", before.defaultRetentionDays() + 1));

        assertThat(settings.get()).isEqualTo(after);
        assertThat(after.defaultRetentionDays()).isEqualTo(before.defaultRetentionDays() + 1);
        settings.update(body("default_retention_days", before.defaultRetentionDays()));
    }

    @Test
    void everyChangeWritesItsAuditEventAndNoSecret() {
        String name = unique("Audited");
        DatabaseConfig db = database(name, "audit.example.internal", unique("a"));
        databases.update(db.id(), body("password", "rotated-secret", "enabled", false));
        databases.delete(db.id(), false);

        List<Map<String, Object>> events = jdbc.sql(
                "SELECT action, details, before_value, after_value FROM audit_events WHERE resource_id = ? ORDER BY occurred_at, action")
                .param(db.id()).query().listOfRows();

        assertThat(events).extracting(e -> e.get("action"))
                .containsExactlyInAnyOrder("database_created", "database_updated", "database_deleted");
        assertThat(events.toString()).doesNotContain("db-secret").doesNotContain("rotated-secret");
    }

    @Test
    void concurrentPartialUpdatesOfOneDatabaseKeepEachOthersChanges() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 15; round++) {
                DatabaseConfig db = database(unique("Race"), unique("race") + ".example.internal", "r");
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                String destination = "dest-" + round;
                String schedule = "0 " + (round % 24) + " * * *";
                Future<?> a = pool.submit(() -> {
                    start.await();
                    return databases.update(db.id(), body("backup_destination", destination));
                });
                Future<?> b = pool.submit(() -> {
                    start.await();
                    return databases.update(db.id(), body("schedule", schedule));
                });
                a.get();
                b.get();

                DatabaseConfig after = databases.get(db.id());
                assertThat(after.backupDestination()).as("round %d", round).isEqualTo(destination);
                assertThat(after.schedule()).as("round %d", round).isEqualTo(schedule);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void concurrentWritersAllSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        String host = unique("busy") + ".example.internal";
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int n = i;
                Callable<String> create = () -> database(unique("Busy " + n), host, "db" + n).id();
                futures.add(pool.submit(create));
            }
            for (Future<String> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(databases.list(query(null, host, null), new Paging(100, 0)).total()).isEqualTo(60);
    }

    private static DatabaseService.Query query(String search, String host, String type) {
        return new DatabaseService.Query(null, type, search, host, null, null);
    }

    private static List<String> ids(List<DatabaseConfig> list) {
        return list.stream().map(DatabaseConfig::id).toList();
    }
}
