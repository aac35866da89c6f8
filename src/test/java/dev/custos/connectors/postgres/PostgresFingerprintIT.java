package dev.custos.connectors.postgres;

import static dev.custos.connectors.postgres.RestoreFixtures.EVERYTHING;
import static dev.custos.connectors.postgres.RestoreFixtures.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTestSupport.GatedOutput;
import dev.custos.connectors.DumpTestSupport.RecordingLog;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.ProcessCommandRunner;
import dev.custos.connectors.RestoreOptions;
import dev.custos.engines.RealServers;
import dev.custos.support.PostgresLock;
import dev.custos.support.Sql;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fingerprints of the machine's PostgreSQL 15: what they notice, what they ignore, and their snapshot. */
class PostgresFingerprintIT {

    private static final RealServers servers = new RealServers();
    private final PostgresConnector connector = new PostgresConnector(new ProcessCommandRunner());

    private static String shop;

    @BeforeAll
    static void createDatabase() {
        shop = servers.postgresDatabase();
        Sql.postgres(shop, EVERYTHING.toArray(String[]::new));
    }

    @AfterAll
    static void dropDatabases() {
        servers.dropAll();
    }

    @Test
    void listsWhatTheDatabaseHoldsByQualifiedName() {
        Fingerprint fingerprint = connector.fingerprint(target(shop), Cancellation.none());

        assertThat(fingerprint.kind()).isEqualTo("postgresql");
        assertThat(fingerprint.tables().get("public.everything").rows()).isEqualTo(503);
        assertThat(fingerprint.tables().get("\"Billing Dept\".totals").rows()).isEqualTo(3);
        assertThat(fingerprint.tables()).containsKeys("public.events_2024", "public.events_2025",
                "public.events_other").doesNotContainKeys("public.events", "\"Billing Dept\".happy");
        assertThat(fingerprint.sequences()).containsEntry("\"Billing Dept\".invoice_no", "1027")
                .containsEntry("public.countdown", "10")
                .containsEntry("public.everything_id_seq", "504")
                .containsEntry("public.everything_serial_no_seq", "504");
        assertThat(fingerprint.objects()).contains(
                "schema \"Billing Dept\"",
                "schema public",
                "enum public.mood ('sad', 'ok', 'happy')",
                "domain public.positive_int integer not null",
                "constraint public.positive_int.positive_int_check on domain CHECK ((VALUE > 0))",
                "composite type public.pair (a integer, b text)",
                "partitioned table public.events RANGE (at)",
                "partition public.events_other of public.events DEFAULT",
                "column public.everything.id bigint not null generated always as identity",
                "column public.everything.doubled bigint generated always as ((big * 2)) stored",
                "comment on table public.everything: 'one of each'",
                "comment on large object 424242: 'the small one'",
                "extension plpgsql 1.0 in schema pg_catalog",
                "table \"Billing Dept\".\"Invoices\" row security");
        assertThat(fingerprint.objects()).anyMatch(o -> o.startsWith("view \"Billing Dept\".happy definition md5 "))
                .anyMatch(o -> o.startsWith("function \"Billing Dept\".touch() definition md5 "))
                .anyMatch(o -> o.startsWith("procedure public.bump(integer) definition md5 "))
                .anyMatch(o -> o.startsWith("trigger CREATE TRIGGER invoices_touch BEFORE UPDATE"))
                .anyMatch(o -> o.startsWith("large objects: 2, content md5 "))
                .noneMatch(o -> o.contains(shop));
        assertThat(fingerprint.differences(connector.fingerprint(target(shop), Cancellation.none()))).isEmpty();
    }

    @Test
    void noticesAChangedRowADroppedViewAndAnAdvancedSequence() {
        String copy = copyOfShop();
        Fingerprint before = connector.fingerprint(target(copy), Cancellation.none());

        Sql.postgres(copy, "UPDATE everything SET txt = 'changed' WHERE id = 2",
                "DROP VIEW \"Billing Dept\".happy",
                "SELECT nextval('\"Billing Dept\".invoice_no')");

        List<String> differences = before.differences(connector.fingerprint(target(copy), Cancellation.none()));
        assertThat(differences).contains(
                "table public.everything has the same 503 rows but different content",
                "sequence \"Billing Dept\".invoice_no is at 1028, expected 1027");
        assertThat(differences).anyMatch(d -> d.startsWith("missing: view \"Billing Dept\".happy definition md5 "));
    }

    @Test
    void noticesALargeObjectsContentAndAColumnsDefault() {
        String copy = copyOfShop();
        Fingerprint before = connector.fingerprint(target(copy), Cancellation.none());

        Sql.postgres(copy, "SELECT lo_put(424242, 0, 'A')",
                "ALTER TABLE \"Billing Dept\".\"Invoices\" ALTER COLUMN status SET DEFAULT 'happy'");

        List<String> differences = before.differences(connector.fingerprint(target(copy), Cancellation.none()));
        assertThat(differences).anyMatch(d -> d.startsWith("missing: large objects: 2, content md5 "))
                .contains("missing: column \"Billing Dept\".\"Invoices\".status public.mood not null default"
                        + " 'ok'::public.mood");
    }

    @Test
    void doesNotDependOnTheSessionsSettings() {
        String copy = copyOfShop();
        Fingerprint before = connector.fingerprint(target(copy), Cancellation.none());

        Sql.postgres("postgres", "ALTER DATABASE " + copy + " SET TimeZone = 'Pacific/Chatham'",
                "ALTER DATABASE " + copy + " SET DateStyle = 'SQL, DMY'",
                "ALTER DATABASE " + copy + " SET IntervalStyle = 'sql_standard'",
                "ALTER DATABASE " + copy + " SET extra_float_digits = -15",
                "ALTER DATABASE " + copy + " SET bytea_output = 'escape'",
                "ALTER DATABASE " + copy + " SET search_path = \"Billing Dept\", public");

        assertThat(before.differences(connector.fingerprint(target(copy), Cancellation.none()))).isEmpty();
    }

    /**
     * A row inserted while pg_dump runs is in neither the dump nor its fingerprint: both read the snapshot the
     * fingerprint's transaction exported before pg_dump started.
     */
    @Test
    void aDumpsFingerprintIsOfTheDumpsOwnSnapshot() throws Exception {
        String copy = copyOfShop();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GatedOutput out = new GatedOutput(bytes);
        RecordingLog log = new RecordingLog();
        CompletableFuture<DumpResult> dump = CompletableFuture.supplyAsync(
                () -> connector.dump(target(copy), out, log, Cancellation.none(), true));
        try {
            out.awaitFirstWrite();
            Sql.postgres(copy, "INSERT INTO everything (txt, m, p) VALUES ('written during the dump', 'ok', 1)");
        } finally {
            out.open();
        }
        DumpResult result = dump.get(60, TimeUnit.SECONDS);
        String restored = servers.postgresDatabase();
        connector.restore(target(restored), new ByteArrayInputStream(bytes.toByteArray()),
                RestoreOptions.of(DumpFormat.PG_CUSTOM), DumpLog.discard(), Cancellation.none());

        assertThat(result.fingerprint().tables().get("public.everything").rows()).isEqualTo(503);
        assertThat(result.fingerprint().differences(connector.fingerprint(target(restored), Cancellation.none())))
                .isEmpty();
        assertThat(result.fingerprint().differences(connector.fingerprint(target(copy), Cancellation.none())))
                .contains("table public.everything has 504 rows, expected 503");
        assertThat(log.steps()).anyMatch(step -> step.startsWith("info: fingerprinting the database in pg_dump's"
                + " snapshot "));
    }

    @Test
    void withoutAFingerprintADumpHasNone() {
        DumpResult result = connector.dump(target(shop), new ByteArrayOutputStream(), DumpLog.discard(),
                Cancellation.none(), false);

        assertThat(result.fingerprint()).isNull();
    }

    @Test
    void cancellingCancelsTheRunningQuery() throws Exception {
        String copy = copyOfShop();
        Cancellation cancellation = new Cancellation();
        try (PostgresLock lock = new PostgresLock(copy, "events_2025")) {
            CompletableFuture<Fingerprint> fingerprint = CompletableFuture.supplyAsync(
                    () -> connector.fingerprint(target(copy), cancellation));
            await().atMost(Duration.ofSeconds(60)).until(() -> !Sql.postgresRows("postgres", "SELECT pid FROM"
                    + " pg_stat_activity WHERE datname = '" + copy + "' AND application_name = 'custos'"
                    + " AND wait_event_type = 'Lock'").isEmpty());

            cancellation.cancel();

            assertThatThrownBy(() -> fingerprint.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(Cancellation.CancelledException.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> Sql.postgresRows("postgres", "SELECT pid FROM"
                    + " pg_stat_activity WHERE datname = '" + copy + "' AND application_name = 'custos'").isEmpty());
        }
    }

    private String copyOfShop() {
        String copy = servers.postgresDatabase();
        Sql.postgres(copy, EVERYTHING.toArray(String[]::new));
        return copy;
    }
}
