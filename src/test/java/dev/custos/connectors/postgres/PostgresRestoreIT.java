package dev.custos.connectors.postgres;

import static dev.custos.connectors.DumpTestSupport.cmdline;
import static dev.custos.connectors.DumpTestSupport.environ;
import static dev.custos.connectors.DumpTestSupport.liveTool;
import static dev.custos.connectors.postgres.RestoreFixtures.EVERYTHING;
import static dev.custos.connectors.postgres.RestoreFixtures.failingAt;
import static dev.custos.connectors.postgres.RestoreFixtures.failingAtEnd;
import static dev.custos.connectors.postgres.RestoreFixtures.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTestSupport.RecordingLog;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.ProcessCommandRunner;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import dev.custos.connectors.TargetState;
import dev.custos.engines.RealServers;
import dev.custos.support.PostgresLock;
import dev.custos.support.Sql;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;

/**
 * Restores through the connector into the machine's PostgreSQL 15 (trust authentication), proven by fingerprints:
 * what was dumped is what was restored, and a restore that fails leaves its target exactly as it was.
 */
class PostgresRestoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final PostgresConnector connector = new PostgresConnector(new ProcessCommandRunner());
    private static final List<String> created = new ArrayList<>();

    private static String source;
    /** The custom-format dump of {@link #source} and the fingerprint taken in its snapshot. */
    private static byte[] archive;
    private static Fingerprint sourceFingerprint;
    private static String sourceVersion;

    @BeforeAll
    static void dumpTheSource() {
        source = newDatabase();
        Sql.postgres(source, EVERYTHING.toArray(String[]::new));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DumpResult result = connector.dump(target(source), out, DumpLog.discard(), Cancellation.none(), true);
        archive = out.toByteArray();
        sourceFingerprint = result.fingerprint();
        sourceVersion = result.serverVersion();
    }

    @AfterAll
    static void dropDatabases() {
        created.forEach(name -> connector.dropDatabase(target(name), TIMEOUT));
        for (String name : created) {
            assertThat(Sql.postgresRows("postgres", "SELECT datname FROM pg_database WHERE datname LIKE '" + name
                    + "%'")).as("databases left behind by restores into " + name).isEmpty();
        }
    }

    @Test
    void aRestoredDumpHasTheSourcesFingerprint() {
        String copy = newDatabase();
        RecordingLog log = new RecordingLog();

        RestoreResult result = connector.restore(target(copy), new ByteArrayInputStream(archive),
                RestoreOptions.of(DumpFormat.PG_CUSTOM), log, Cancellation.none());

        assertThat(sourceFingerprint.tables()).containsKeys("public.everything", "\"Billing Dept\".\"Invoices\"",
                "public.events_2024", "public.events_other", "\"Billing Dept\".totals").doesNotContainKey("public.events");
        assertThat(sourceFingerprint.differences(connector.fingerprint(target(copy), Cancellation.none()))).isEmpty();
        assertThat(result.tool()).isEqualTo("pg_restore");
        assertThat(result.serverVersion()).isEqualTo(sourceVersion);
        assertThat(result.toolVersion()).startsWith("15.");
        assertThat(log.steps()).startsWith("info: connected to PostgreSQL " + sourceVersion,
                "info: pg_restore " + result.toolVersion() + " started");
        assertThat(log.steps().get(log.steps().size() - 1)).startsWith("info: pg_restore " + result.toolVersion()
                + " finished in ");
        // What a user would check by hand.
        assertThat(Sql.postgresRows(copy, "SELECT encode(b, 'hex') FROM everything WHERE id = 1"))
                .containsExactly(RestoreFixtures.ALL_BYTES_HEX);
        assertThat(Sql.postgresRows(copy, "SELECT nextval('\"Billing Dept\".invoice_no')")).containsExactly("1027");
        Sql.postgres(copy, "INSERT INTO everything (txt, m, p) VALUES ('after the restore', 'ok', 1)");
        assertThat(Sql.postgresRows(copy, "SELECT max(id) FROM everything")).containsExactly("504");
        assertThat(Sql.postgresRows(copy, "SELECT count(*) FROM events")).containsExactly("400");
        assertThat(Sql.postgresRows(copy, "SELECT length(lo_get(424242))")).containsExactly("20");
        assertThat(Sql.postgresRows(copy, "SELECT n FROM \"Billing Dept\".totals WHERE m = 'ok'")).containsExactly("501");
    }

    @Test
    void aPlainDumpRestoresThroughPsql() throws Exception {
        byte[] plain = pgDumpPlain(source);
        String copy = newDatabase();

        RestoreResult result = connector.restore(target(copy), new ByteArrayInputStream(plain),
                RestoreOptions.of(DumpFormat.PG_PLAIN), DumpLog.discard(), Cancellation.none());

        assertThat(result.tool()).isEqualTo("psql");
        assertThat(result.toolVersion()).startsWith("15.");
        assertThat(sourceFingerprint.differences(connector.fingerprint(target(copy), Cancellation.none()))).isEmpty();
    }

    @Test
    void aStreamThatFailsAtItsEndCommitsNothing() {
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());

        assertThatThrownBy(() -> connector.restore(target(old), failingAtEnd(archive),
                RestoreOptions.of(DumpFormat.PG_CUSTOM), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageContaining("reading the backup failed: SHA-256 of the backup does not match its manifest")
                .hasMessageContaining("nothing was committed");

        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
        assertThat(liveTool("pg_restore")).isEmpty();
    }

    /**
     * pg_dump wraps large objects in their own BEGIN/COMMIT; psql's single transaction must not commit there, or a
     * plain dump whose end is more than the held-back bytes away would be half restored when its stream fails.
     */
    @Test
    void aPlainDumpWithLargeObjectsThatFailsAtItsEndCommitsNothing() throws Exception {
        String big = newDatabase();
        Sql.postgres(big, "CREATE TABLE t (a integer)", "INSERT INTO t VALUES (1)",
                "SELECT lo_from_bytea(0, 'first'), lo_from_bytea(0, 'second')",
                // Indexes come after the large objects in a dump: these put them far from its end.
                "DO $$ BEGIN FOR i IN 1..900 LOOP EXECUTE format('CREATE INDEX an_index_with_a_rather_long_name_%s"
                        + " ON t (a)', i); END LOOP; END $$");
        byte[] plain = pgDumpPlain(big);
        String afterObjects = new String(plain, StandardCharsets.UTF_8);
        assertThat(afterObjects.length() - afterObjects.indexOf("lo_close")).as("bytes after the large objects")
                .isGreaterThan(2 * 64 * 1024);
        String empty = newDatabase();

        assertThatThrownBy(() -> connector.restore(target(empty), failingAtEnd(plain),
                RestoreOptions.of(DumpFormat.PG_PLAIN), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse());

        assertThat(Sql.postgresRows(empty, "SELECT count(*) FROM pg_largeobject_metadata")).containsExactly("0");
        assertThat(connector.inspect(target(empty), TIMEOUT).userObjects()).isZero();
        // And whole, the same dump restores with its large objects.
        connector.restore(target(empty), new ByteArrayInputStream(plain), RestoreOptions.of(DumpFormat.PG_PLAIN),
                DumpLog.discard(), Cancellation.none());
        assertThat(Sql.postgresRows(empty, "SELECT count(*) FROM pg_largeobject_metadata")).containsExactly("2");
    }

    @Test
    void aTruncatedArchiveCommitsNothing() {
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());
        byte[] truncated = Arrays.copyOf(archive, archive.length * 2 / 3);

        assertThatThrownBy(() -> connector.restore(target(old), new ByteArrayInputStream(truncated),
                RestoreOptions.of(DumpFormat.PG_CUSTOM), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageStartingWith("pg_restore exited with code 1: ")
                .hasMessageEndingWith("nothing was restored: the restore ran in one transaction, which was rolled back");

        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
    }

    @Test
    void aTruncatedPlainDumpCommitsNothing() throws Exception {
        byte[] plain = pgDumpPlain(source);
        String text = new String(plain, StandardCharsets.UTF_8);
        // Cut right after a whole statement: psql alone would commit everything before it.
        int cut = text.indexOf("\n\\.\n", text.indexOf("COPY public.everything")) + 4;
        byte[] truncated = Arrays.copyOf(plain, text.substring(0, cut).getBytes(StandardCharsets.UTF_8).length);
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());

        assertThatThrownBy(() -> connector.restore(target(old), new ByteArrayInputStream(truncated),
                RestoreOptions.of(DumpFormat.PG_PLAIN), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageContaining("it is truncated");

        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
    }

    @Test
    void aStreamThatFailsHalfWayCommitsNothing() {
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());

        assertThatThrownBy(() -> connector.restore(target(old), failingAt(archive, archive.length / 2,
                "connection reset by object storage"), RestoreOptions.of(DumpFormat.PG_CUSTOM), DumpLog.discard(),
                Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageContaining("reading the backup failed: connection reset by object storage");

        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
    }

    @Test
    void replaceOverwritesTheDumpsObjectsAndKeepsTheOthers() {
        String old = databaseWithOldData();

        connector.restore(target(old), new ByteArrayInputStream(archive), RestoreOptions.of(DumpFormat.PG_CUSTOM),
                DumpLog.discard(), Cancellation.none());

        List<String> differences = sourceFingerprint.differences(connector.fingerprint(target(old), Cancellation.none()));
        assertThat(differences).isNotEmpty().allMatch(d -> d.contains("public.extra"));
        assertThat(Sql.postgresRows(old, "SELECT count(*) FROM \"Billing Dept\".\"Invoices\"")).containsExactly("20");
        assertThat(Sql.postgresRows(old, "SELECT txt IS NULL FROM everything WHERE id = 3")).containsExactly("t");
        assertThat(Sql.postgresRows(old, "SELECT note FROM extra")).containsExactly("not in the dump");
    }

    @Test
    void withoutReplaceAClashFailsAndRollsBack() {
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());
        RestoreOptions noReplace = new RestoreOptions(DumpFormat.PG_CUSTOM, null, false, false, false, false);

        assertThatThrownBy(() -> connector.restore(target(old), new ByteArrayInputStream(archive), noReplace,
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageContaining("pg_restore: error: could not execute query: ERROR:  schema \"Billing Dept\""
                        + " already exists");

        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
    }

    @Test
    void strictDeleteLeavesExactlyTheDumpAndKeepsTheDatabasesSettings() {
        String old = databaseWithOldData();
        Sql.postgres("postgres", "ALTER DATABASE " + old + " SET search_path = public, \"Billing Dept\"",
                "ALTER DATABASE " + old + " SET work_mem = '7MB'",
                "COMMENT ON DATABASE " + old + " IS 'the shop''s data'",
                "REVOKE ALL ON DATABASE " + old + " FROM PUBLIC");
        RecordingLog log = new RecordingLog();

        connector.restore(target(old), new ByteArrayInputStream(archive),
                RestoreOptions.of(DumpFormat.PG_CUSTOM).withStrictDelete(true), log, Cancellation.none());

        assertThat(sourceFingerprint.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
        assertThat(Sql.postgresRows(old, "SHOW search_path")).containsExactly("public, \"Billing Dept\"");
        assertThat(Sql.postgresRows(old, "SHOW work_mem")).containsExactly("7MB");
        assertThat(Sql.postgresRows("postgres", "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                + " WHERE datname = '" + old + "'")).containsExactly("the shop's data");
        assertThat(Sql.postgresRows("postgres", "SELECT has_database_privilege('public', '" + old + "', 'CONNECT')"))
                .containsExactly("f");
        assertThat(log.steps()).anyMatch(step -> step.startsWith("info: restoring into the new database " + old
                + "_custos_"));
    }

    @Test
    void strictDeleteIsRefusedWhileSomeoneIsConnectedAndInspectSaysWho() throws Exception {
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());
        try (Connection someone = connect(old, "reporting tool")) {
            TargetState state = connector.inspect(target(old), TIMEOUT);
            assertThat(state.otherSessions()).singleElement().asString()
                    .matches("pid \\d+ app \"reporting tool\" user postgres");

            assertThatThrownBy(() -> connector.restore(target(old), new ByteArrayInputStream(archive),
                    RestoreOptions.of(DumpFormat.PG_CUSTOM).withStrictDelete(true), DumpLog.discard(),
                    Cancellation.none()))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                    .hasMessageContaining("other sessions are connected to it: " + state.otherSessions().get(0))
                    .hasMessageEndingWith("the target was not touched");
        }

        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
    }

    @Test
    void strictDeleteThatFailsDropsItsFreshDatabaseAndLeavesTheTarget() {
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());

        assertThatThrownBy(() -> connector.restore(target(old), failingAtEnd(archive),
                RestoreOptions.of(DumpFormat.PG_CUSTOM).withStrictDelete(true), DumpLog.discard(),
                Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse());

        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
        assertThat(Sql.postgresRows("postgres", "SELECT datname FROM pg_database WHERE datname LIKE '" + old + "_%'"))
                .isEmpty();
    }

    @Test
    void anArchiveFromANewerMajorIsRefusedNamingBothVersions() {
        byte[] newer = archive.clone();
        byte[] version = sourceVersion.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(newer, version);
        // The header's first version string is the server's; "15.x" becomes "99.x".
        newer[at] = '9';
        newer[at + 1] = '9';
        String newerVersion = "99" + sourceVersion.substring(2);
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());
        RecordingLog log = new RecordingLog();

        assertThatThrownBy(() -> connector.restore(target(old), new ByteArrayInputStream(newer),
                RestoreOptions.of(DumpFormat.PG_CUSTOM), log, Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("the dump comes from PostgreSQL " + newerVersion + ", a newer major version than the target"
                        + " server's PostgreSQL " + sourceVersion + "; restore it into a PostgreSQL 99 server or newer;"
                        + " the target was not touched");

        assertThat(log.steps()).noneMatch(step -> step.contains("pg_restore"));
        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
    }

    @Test
    void aPlainDumpOrAManifestFromANewerMajorIsRefused() {
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());
        byte[] plain = ("--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 99.1\n"
                + "-- Dumped by pg_dump version 99.1\n\nDROP TABLE everything;\n").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> connector.restore(target(old), new ByteArrayInputStream(plain),
                RestoreOptions.of(DumpFormat.PG_PLAIN), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageContaining("PostgreSQL 99.1").hasMessageContaining("PostgreSQL " + sourceVersion);
        assertThatThrownBy(() -> connector.restore(target(old), new ByteArrayInputStream(archive),
                RestoreOptions.of(DumpFormat.PG_CUSTOM).withSourceServerVersion("99.0"), DumpLog.discard(),
                Cancellation.none()))
                .isInstanceOf(RestoreException.class)
                .hasMessageContaining("PostgreSQL 99.0").hasMessageContaining("PostgreSQL " + sourceVersion);

        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
    }

    @Test
    void cancellingMidRestoreKillsPgRestoreAndRollsBack() throws Exception {
        String old = databaseWithOldData();
        Fingerprint before = connector.fingerprint(target(old), Cancellation.none());
        Cancellation cancellation = new Cancellation();
        CompletableFuture<RestoreResult> restore;
        ProcessHandle pgRestore;
        try (PostgresLock lock = new PostgresLock(old, "everything")) {
            // --clean drops "everything" first, and waits for the lock.
            restore = CompletableFuture.supplyAsync(() -> connector.restore(target(old),
                    new ByteArrayInputStream(archive), RestoreOptions.of(DumpFormat.PG_CUSTOM), DumpLog.discard(),
                    cancellation));
            await().atMost(Duration.ofSeconds(60)).until(() -> restoreIsWaiting(old));
            pgRestore = liveTool("pg_restore").orElseThrow(() -> new AssertionError("no live pg_restore"));

            cancellation.cancel();

            assertThatThrownBy(() -> restore.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(Cancellation.CancelledException.class);
            assertThat(pgRestore.isAlive()).isFalse();
        }
        // Its server session ends once it gets the lock and finds its client gone.
        await().atMost(Duration.ofSeconds(60)).until(() -> restoreSessions(old).isEmpty());
        assertThat(before.differences(connector.fingerprint(target(old), Cancellation.none()))).isEmpty();
    }

    @Test
    void withAPasswordTheRestoreWorksAndThePasswordIsNeverInArgv() throws Exception {
        try (ScratchPostgres scratch = ScratchPostgres.start()) {
            scratch.execute("postgres", "CREATE DATABASE shop");
            scratch.execute("shop", "CREATE TABLE t (id integer PRIMARY KEY, b bytea)",
                    "INSERT INTO t SELECT g, decode(md5(g::text), 'hex') FROM generate_series(1, 1000) g");
            ConnectionTarget shop = scratchTarget(scratch, "shop");
            ConnectionTarget copy = scratchTarget(scratch, "Copy of \"shop\"");
            ByteArrayOutputStream dump = new ByteArrayOutputStream();
            Fingerprint expected = connector.dump(shop, dump, DumpLog.discard(), Cancellation.none(), true)
                    .fingerprint();
            connector.createDatabase(copy, TIMEOUT);
            // Past the head the connector reads before it starts pg_restore: the gate holds pg_restore itself.
            RestoreFixtures.GatedInput in = new RestoreFixtures.GatedInput(dump.toByteArray(),
                    PgDumpHeader.HEAD_BYTES + 10_000);

            CompletableFuture<RestoreResult> restore = CompletableFuture.supplyAsync(() -> connector.restore(copy, in,
                    RestoreOptions.of(DumpFormat.PG_CUSTOM), DumpLog.discard(), Cancellation.none()));
            try {
                in.awaitGate();
                ProcessHandle pgRestore = liveTool("pg_restore").orElseThrow(() -> new AssertionError("no pg_restore"));

                assertThat(String.join(" ", cmdline(pgRestore))).contains("--port=" + scratch.port())
                        .doesNotContain(ScratchPostgres.PASSWORD).doesNotContain("scratch 'pw'");
                assertThat(environ(pgRestore)).contains("PGPASSWORD=" + ScratchPostgres.PASSWORD,
                        "PGAPPNAME=custos restore");
            } finally {
                in.open();
            }

            assertThat(restore.get(60, TimeUnit.SECONDS).tool()).isEqualTo("pg_restore");
            assertThat(expected.differences(connector.fingerprint(copy, Cancellation.none()))).isEmpty();
            connector.dropDatabase(copy, TIMEOUT);
            assertThat(connector.inspect(copy, TIMEOUT).exists()).isFalse();
        }
    }

    @Test
    void databasesWithAwkwardNamesAreCreatedInspectedAndDropped() {
        String name = "custos_it_ \"Odd\" Name's " + Long.toHexString(System.nanoTime());
        ConnectionTarget odd = target(name);
        assertThat(connector.inspect(odd, TIMEOUT)).isEqualTo(new TargetState(false, 0, List.of(), sourceVersion));

        connector.createDatabase(odd, TIMEOUT);
        try {
            TargetState state = connector.inspect(odd, TIMEOUT);
            assertThat(state.exists()).isTrue();
            assertThat(state.empty()).isTrue();
            assertThatThrownBy(() -> connector.createDatabase(odd, TIMEOUT))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                    .hasMessage("the database " + name + " exists already");
            connector.restore(odd, new ByteArrayInputStream(archive), RestoreOptions.of(DumpFormat.PG_CUSTOM),
                    DumpLog.discard(), Cancellation.none());
            // 6 tables (one of them partitioned), a view, a materialized view, 4 sequences and 3 routines.
            assertThat(connector.inspect(odd, TIMEOUT).userObjects()).isEqualTo(15);
        } finally {
            connector.dropDatabase(odd, TIMEOUT);
        }
        assertThat(connector.inspect(odd, TIMEOUT).exists()).isFalse();
        connector.dropDatabase(odd, TIMEOUT);
    }

    @Test
    void aMissingTargetIsRefusedBeforeAnythingRuns() {
        String missing = RealServers.randomName();

        assertThatThrownBy(() -> connector.restore(target(missing), new ByteArrayInputStream(archive),
                RestoreOptions.of(DumpFormat.PG_CUSTOM), DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("the database " + missing + " does not exist on 127.0.0.1:5432; create it first");
    }

    /**
     * An older state of the dumped database, as a target to restore over: other rows in the dump's tables, and a
     * table the dump does not have.
     */
    private static String databaseWithOldData() {
        String name = newDatabase();
        connector.restore(target(name), new ByteArrayInputStream(archive), RestoreOptions.of(DumpFormat.PG_CUSTOM),
                DumpLog.discard(), Cancellation.none());
        Sql.postgres(name, "DELETE FROM \"Billing Dept\".\"Invoices\" WHERE no > 1010",
                "UPDATE everything SET txt = 'old' WHERE id = 3",
                "CREATE TABLE extra (note text)", "INSERT INTO extra VALUES ('not in the dump')");
        return name;
    }

    private static String newDatabase() {
        String name = RealServers.randomName();
        connector.createDatabase(target(name), TIMEOUT);
        created.add(name);
        return name;
    }

    private static boolean restoreIsWaiting(String database) {
        return !Sql.postgresRows("postgres", "SELECT pid FROM pg_stat_activity WHERE datname = '" + database
                + "' AND application_name = 'custos restore' AND wait_event_type = 'Lock'").isEmpty();
    }

    private static List<String> restoreSessions(String database) {
        return Sql.postgresRows("postgres", "SELECT pid FROM pg_stat_activity WHERE datname = '" + database
                + "' AND application_name = 'custos restore'");
    }

    private static byte[] pgDumpPlain(String database) throws Exception {
        Process dump = new ProcessBuilder("pg_dump", "--format=plain", "--host=" + RealServers.HOST,
                "--port=" + RealServers.POSTGRES_PORT, "--username=postgres", "--dbname=" + database).start();
        dump.getOutputStream().close();
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(dump.getErrorStream()));
        byte[] out = dump.getInputStream().readAllBytes();
        assertThat(dump.waitFor()).as(new String(stderr.get(), StandardCharsets.UTF_8)).isZero();
        return out;
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static Connection connect(String database, String applicationName) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        login.setProperty("ApplicationName", applicationName);
        return new Driver().connect("jdbc:postgresql://" + RealServers.HOST + ":" + RealServers.POSTGRES_PORT + "/"
                + database, login);
    }

    private static ConnectionTarget scratchTarget(ScratchPostgres scratch, String database) {
        return new ConnectionTarget(DatabaseKind.POSTGRESQL, RealServers.HOST, scratch.port(), database,
                ScratchPostgres.USER, ScratchPostgres.PASSWORD);
    }
}
