package dev.custos.connectors.postgres;

import static dev.custos.connectors.DumpTestSupport.cmdline;
import static dev.custos.connectors.DumpTestSupport.environ;
import static dev.custos.connectors.DumpTestSupport.liveTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.Command;
import dev.custos.connectors.CommandResult;
import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTestSupport.GatedOutput;
import dev.custos.connectors.DumpTestSupport.RecordingLog;
import dev.custos.connectors.ProcessCommandRunner;
import dev.custos.engines.RealServers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.Driver;

/**
 * pg_dump through the connector against the machine's PostgreSQL 15 (trust authentication), and against a scratch
 * cluster of the test's own for what needs a password.
 */
class PostgresDumpIT {

    private static final String HOST = RealServers.HOST;
    private static final int PORT = RealServers.POSTGRES_PORT;
    /** Rows of filler that make a dump of several megabytes: more than the pipe and the runner's buffer hold. */
    private static final String FILLER = "CREATE TABLE filler AS SELECT g AS id, md5(g::text) || md5((-g)::text) AS pad"
            + " FROM generate_series(1, 100000) g";

    private static final RealServers servers = new RealServers();
    private static String shop;
    private static String big;
    private static ScratchPostgres scratch;

    private final PostgresConnector connector = new PostgresConnector(new ProcessCommandRunner());

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabases() {
        shop = servers.postgresDatabase();
        execute(shop,
                "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, avatar bytea, joined date)",
                "INSERT INTO customers (name, avatar, joined) VALUES"
                        + " ('Zoë Ünïcode ✓', (SELECT decode(string_agg(lpad(to_hex(b), 2, '0'), ''), 'hex')"
                        + "   FROM generate_series(0, 255) b), '2024-02-29'),"
                        + " ('O''Brien; DROP TABLE x', '\\x00ff00'::bytea, NULL),"
                        + " ('no avatar', NULL, '1999-12-31')",
                "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                        + " customer_id int NOT NULL REFERENCES customers, amount numeric(10, 2) NOT NULL)",
                "INSERT INTO orders (customer_id, amount) SELECT 1 + g % 3, g * 1.25 FROM generate_series(1, 500) g",
                "CREATE SEQUENCE invoice_number START 1000",
                "SELECT nextval('invoice_number') FROM generate_series(1, 7)",
                "CREATE VIEW big_spenders AS SELECT c.name, sum(o.amount) AS total FROM customers c"
                        + " JOIN orders o ON o.customer_id = c.id GROUP BY c.name HAVING sum(o.amount) > 100",
                "CREATE FUNCTION order_total(customer int) RETURNS numeric LANGUAGE sql STABLE"
                        + " AS $$ SELECT coalesce(sum(amount), 0) FROM orders WHERE customer_id = customer $$");
        big = servers.postgresDatabase();
        execute(big, FILLER);
        scratch = ScratchPostgres.start();
        scratch.execute("postgres", "CREATE DATABASE scratch", "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'");
        scratch.execute("scratch", FILLER);
    }

    @AfterAll
    static void dropDatabases() {
        servers.dropAll();
        if (scratch != null) {
            scratch.close();
        }
    }

    @Test
    void aDumpRestoresIntoAFreshDatabaseWithTheSameData() throws Exception {
        Path file = dir.resolve("shop.dump");
        RecordingLog log = new RecordingLog();

        DumpResult result;
        try (OutputStream out = Files.newOutputStream(file)) {
            result = connector.dump(target(shop, "postgres", null), out, log, Cancellation.none());
        }

        assertThat(result.fileFormat()).isEqualTo("dump");
        assertThat(result.tool()).isEqualTo("pg_dump");
        assertThat(result.serverVersion()).startsWith("15.").doesNotContain(" ");
        assertThat(result.toolVersion()).startsWith("15.");
        assertThat(result.warnings()).isEmpty();
        assertThat(new String(Files.readAllBytes(file), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("PGDMP");
        assertThat(log.steps()).containsExactly(
                "info: connected to PostgreSQL " + result.serverVersion(),
                "info: pg_dump " + result.toolVersion() + " started",
                log.steps().get(2));
        assertThat(log.steps().get(2)).startsWith("info: pg_dump " + result.toolVersion() + " finished: "
                + Files.size(file) + " bytes in ");

        String copy = servers.postgresDatabase();
        pgRestore(file, copy);

        for (String query : List.of(
                "SELECT c::text FROM customers c ORDER BY id",
                "SELECT encode(avatar, 'hex') FROM customers ORDER BY id",
                "SELECT o::text FROM orders o ORDER BY id",
                "SELECT last_value || '/' || is_called FROM invoice_number",
                "SELECT last_value || '/' || is_called FROM customers_id_seq",
                "SELECT b::text FROM big_spenders b ORDER BY name",
                "SELECT order_total(2)::text")) {
            assertThat(rows(copy, query)).as(query).isEqualTo(rows(shop, query)).isNotEmpty();
        }
        assertThat(rows(copy, "SELECT last_value::text FROM invoice_number")).containsExactly("1006");
        // The identity column keeps counting after the restored rows, not from 1.
        execute(copy, "INSERT INTO orders (customer_id, amount) VALUES (1, 1)");
        assertThat(rows(copy, "SELECT max(id)::text FROM orders")).containsExactly("501");
    }

    @Test
    void thePasswordReachesPgDumpThroughItsEnvironmentNeverThroughArgv() throws Exception {
        GatedOutput out = new GatedOutput();
        CompletableFuture<DumpResult> dump = CompletableFuture.supplyAsync(() -> connector.dump(
                scratchTarget("scratch", ScratchPostgres.PASSWORD), out, DumpLog.discard(), Cancellation.none()));
        try {
            out.awaitFirstWrite();
            ProcessHandle pgDump = liveTool("pg_dump").orElseThrow(() -> new AssertionError("no live pg_dump"));

            assertThat(String.join(" ", cmdline(pgDump))).contains("--host=127.0.0.1", "--port=" + scratch.port())
                    .doesNotContain(ScratchPostgres.PASSWORD).doesNotContain("scratch 'pw'");
            assertThat(environ(pgDump)).contains("PGPASSWORD=" + ScratchPostgres.PASSWORD);
        } finally {
            out.open();
        }

        assertThat(dump.get(60, TimeUnit.SECONDS).tool()).isEqualTo("pg_dump");
        assertThat(out.bytes()).isGreaterThan(1_000_000);
    }

    @Test
    void aWrongPasswordFailsWithTheServersWordsAndNeverShowsThePassword() {
        String wrong = "wrong-" + ScratchPostgres.PASSWORD;

        assertThatThrownBy(() -> connector.dump(scratchTarget("scratch", wrong), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessageContaining("password authentication failed for user \"" + ScratchPostgres.USER + "\"")
                .message().doesNotContain(wrong).doesNotContain(ScratchPostgres.PASSWORD);
    }

    @Test
    void cancellingMidDumpStopsPgDumpAndLeavesNoProcess() throws Exception {
        GatedOutput out = new GatedOutput();
        Cancellation cancellation = new Cancellation();
        CompletableFuture<DumpResult> dump = CompletableFuture.supplyAsync(
                () -> connector.dump(target(big, "postgres", null), out, DumpLog.discard(), cancellation));
        ProcessHandle pgDump;
        try {
            out.awaitFirstWrite();
            pgDump = liveTool("pg_dump").orElseThrow(() -> new AssertionError("no live pg_dump"));

            cancellation.cancel();
        } finally {
            out.open();
        }

        assertThatThrownBy(() -> dump.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(Cancellation.CancelledException.class);
        assertThat(pgDump.isAlive()).isFalse();
        assertThat(liveTool("pg_dump")).isEmpty();
    }

    @Test
    void aDatabaseDroppedMidDumpFailsWithPgDumpsOwnMessage() throws Exception {
        String doomed = servers.postgresDatabase();
        execute(doomed, FILLER);
        GatedOutput out = new GatedOutput();
        CompletableFuture<DumpResult> dump = CompletableFuture.supplyAsync(
                () -> connector.dump(target(doomed, "postgres", null), out, DumpLog.discard(), Cancellation.none()));
        try {
            out.awaitFirstWrite();
            execute("postgres", "DROP DATABASE " + doomed + " WITH (FORCE)");
        } finally {
            out.open();
        }

        assertThatThrownBy(() -> dump.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(DumpException.class)
                // What the server says next depends on whether its goodbye reached pg_dump before the socket closed
                // ("terminating connection due to administrator command" or "server closed the connection").
                .hasMessageStartingWith("pg_dump exited with code 1: pg_dump: error: Dumping the contents of table"
                        + " \"filler\" failed");
        assertThat(liveTool("pg_dump")).isEmpty();
    }

    @Test
    void aMissingDatabaseFailsWithTheServersMessage() {
        String missing = RealServers.randomName();

        assertThatThrownBy(() -> connector.dump(target(missing, "postgres", null), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessage("cannot connect to PostgreSQL at 127.0.0.1:5432: database \"" + missing + "\" does not exist");
    }

    @Test
    void storageFailingMidDumpStopsPgDumpAndSaysWhatFailed() {
        IOException diskFull = new IOException("No space left on device");
        OutputStream failing = new OutputStream() {
            private int writes;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (++writes == 2) {
                    throw diskFull;
                }
            }
        };

        assertThatThrownBy(() -> connector.dump(target(big, "postgres", null), failing, DumpLog.discard(),
                Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessage("pg_dump was stopped because writing the dump failed: No space left on device")
                .hasCause(diskFull);
        assertThat(liveTool("pg_dump")).isEmpty();
    }

    @Test
    void pgDumpGetsTheConnectionAsArgumentsAndThePasswordOnlyInItsEnvironment() {
        FakePgDump fake = new FakePgDump(0, List.of("pg_dump: warning: there are circular foreign-key constraints"));
        PostgresConnector withFake = new PostgresConnector(fake);
        RecordingLog log = new RecordingLog();
        String password = "fake-secret-pw";

        DumpResult result = withFake.dump(target(shop, "postgres", password), OutputStream.nullOutputStream(), log,
                Cancellation.none());

        Command dump = fake.dumpCommand();
        assertThat(dump.argv().get(0)).endsWith("/pg_dump");
        assertThat(dump.argv().subList(1, dump.argv().size())).containsExactly(
                "--format=custom", "--compress=0", "--no-password", "--host=127.0.0.1", "--port=5432",
                "--username=postgres", "--dbname=dbname='" + shop + "'");
        assertThat(String.join(" ", dump.argv())).doesNotContain(password);
        assertThat(dump.environment()).containsEntry("PGPASSWORD", password);
        assertThat(dump.timeout()).isNotNull();
        assertThat(result.toolVersion()).isEqualTo("15.99");
        assertThat(result.warnings()).containsExactly("pg_dump: warning: there are circular foreign-key constraints");
        assertThat(log.steps()).contains("warning: pg_dump: warning: there are circular foreign-key constraints");
    }

    @Test
    void aToolFailingMidStreamIsADumpErrorWithItsStderrTailAndThePasswordRedacted() {
        String password = "hunter2-pw";
        FakePgDump fake = new FakePgDump(1, List.of(
                "pg_dump: error: Dumping the contents of table \"filler\" failed: PQgetResult() failed.",
                "pg_dump: detail: connection string was host=db password=" + password));
        PostgresConnector withFake = new PostgresConnector(fake);

        assertThatThrownBy(() -> withFake.dump(target(shop, "postgres", password), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessage("pg_dump exited with code 1: pg_dump: error: Dumping the contents of table \"filler\" failed:"
                        + " PQgetResult() failed.\npg_dump: detail: connection string was host=db password=***");
    }

    @Test
    void argumentsSurviveAwkwardNames() {
        assertThat(PostgresConnector.conninfoValue("it's a \\ name")).isEqualTo("'it\\'s a \\\\ name'");
        ConnectionTarget odd = new ConnectionTarget(DatabaseKind.POSTGRESQL, "::1", 5433, "host=evil", "-U", null);
        List<String> argv = PostgresConnector.pgDumpArguments(
                new PgDump(Path.of("/usr/bin/pg_dump"), PgVersion.ofTool("pg_dump (PostgreSQL) 15.8").orElseThrow()), odd);

        assertThat(argv).contains("--host=::1", "--port=5433", "--username=-U", "--dbname=dbname='host=evil'");
    }

    /**
     * Answers "--version" like pg_dump 15.99 and plays a dump that writes a few bytes, reports the given stderr lines
     * and exits with the given code: a tool failing mid-stream.
     */
    private static final class FakePgDump implements CommandRunner {
        private final int exitCode;
        private final List<String> stderr;
        private final List<Command> commands = new CopyOnWriteArrayList<>();

        FakePgDump(int exitCode, List<String> stderr) {
            this.exitCode = exitCode;
            this.stderr = stderr;
        }

        @Override
        public CommandResult run(Command command, OutputStream stdout, Cancellation cancellation) throws IOException {
            commands.add(command);
            if (command.argv().contains("--version")) {
                stdout.write("pg_dump (PostgreSQL) 15.99\n".getBytes(StandardCharsets.UTF_8));
                return new CommandResult(0, "", Duration.ZERO, 27);
            }
            stdout.write("PGDMP partial".getBytes(StandardCharsets.UTF_8));
            stderr.forEach(command.stderrLines());
            return new CommandResult(exitCode, String.join("\n", stderr), Duration.ofMillis(5), 13);
        }

        Command dumpCommand() {
            return commands.stream().filter(command -> !command.argv().contains("--version")).findFirst().orElseThrow();
        }
    }

    private static ConnectionTarget target(String database, String user, String password) {
        return new ConnectionTarget(DatabaseKind.POSTGRESQL, HOST, PORT, database, user, password);
    }

    private static ConnectionTarget scratchTarget(String database, String password) {
        return new ConnectionTarget(DatabaseKind.POSTGRESQL, HOST, scratch.port(), database, ScratchPostgres.USER, password);
    }

    private static void pgRestore(Path file, String database) throws Exception {
        Process restore = new ProcessBuilder("pg_restore", "--no-owner", "--exit-on-error", "--host=" + HOST,
                "--port=" + PORT, "--username=postgres", "--dbname=" + database, file.toString())
                .redirectErrorStream(true).start();
        String output = new String(restore.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(restore.waitFor()).as(output).isZero();
    }

    private static List<String> rows(String database, String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }

    private static void execute(String database, String... statements) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection connect(String database) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        return new Driver().connect("jdbc:postgresql://" + HOST + ":" + PORT + "/" + database, login);
    }
}
