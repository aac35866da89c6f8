package dev.custos.connectors.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTestSupport.RecordingLog;
import dev.custos.connectors.Fingerprint;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real SQLite files and a real writer thread; no server, hence a unit test. */
class SqliteDumpTest {

    private static final int BATCH = 100;

    @TempDir
    Path dir;

    @TempDir
    Path scratch;

    @ParameterizedTest(name = "journal_mode={0}")
    @ValueSource(strings = {"DELETE", "WAL"})
    void aDatabaseWrittenDuringTheDumpYieldsACopyAsOfOneCommit(String journalMode) throws Exception {
        Path source = createDatabase("shop.db", journalMode, 200_000);
        SqliteConnector connector = new SqliteConnector(scratch);
        AtomicLong committed = new AtomicLong(200_000);
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> insertBatchesUntil(source, stop, committed));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> committed.get() >= 200_000 + 5 * BATCH);
            long before = committed.get();
            Path copy = dir.resolve("copy.db");

            DumpResult result;
            try (OutputStream out = Files.newOutputStream(copy)) {
                result = connector.dump(target(source), out, DumpLog.discard(), Cancellation.none());
            }
            // The writer keeps going after the copy, so the copy was taken while it wrote.
            await().atMost(Duration.ofSeconds(30)).until(() -> committed.get() >= before + 5 * BATCH);
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);

            assertThat(result.fileFormat()).isEqualTo("sqlite");
            assertThat(result.tool()).isEqualTo("sqlite-online-backup");
            assertThat(result.serverVersion()).matches("3\\.\\d+\\.\\d+");
            assertThat(result.toolVersion()).matches("3\\.\\d+\\.\\d+\\.\\d+");
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + copy);
                    Statement statement = connection.createStatement()) {
                assertThat(single(statement, "PRAGMA integrity_check")).isEqualTo("ok");
                long rows = Long.parseLong(single(statement, "SELECT count(*) FROM events"));
                assertThat(rows % BATCH).as("rows in the copy: %d", rows).isZero();
                assertThat(rows).isBetween(before, committed.get());
                assertThat(single(statement, "SELECT count(DISTINCT batch) * " + BATCH + " = count(*) FROM events"))
                        .isEqualTo("1");
            }
            assertThat(scratch).isEmptyDirectory();
        } finally {
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "journal_mode={0}")
    @ValueSource(strings = {"DELETE", "WAL"})
    void aFingerprintedDumpDescribesTheCopyItStreamedNotTheSourceAsItMovedOn(String journalMode) throws Exception {
        Path source = createDatabase("shop.db", journalMode, 50_000);
        SqliteConnector connector = new SqliteConnector(scratch);
        AtomicLong committed = new AtomicLong(50_000);
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> insertBatchesUntil(source, stop, committed));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> committed.get() >= 50_000 + 5 * BATCH);
            Path copy = dir.resolve("copy.db");
            RecordingLog log = new RecordingLog();

            DumpResult result;
            try (OutputStream out = Files.newOutputStream(copy)) {
                result = connector.dump(target(source), out, log, Cancellation.none(), true);
            }
            long after = committed.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> committed.get() >= after + 5 * BATCH);
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);

            Fingerprint dumped = result.fingerprint();
            assertThat(dumped).isNotNull();
            assertThat(dumped.tables().get("events").rows() % BATCH).isZero();
            assertThat(dumped.differences(connector.fingerprint(target(copy), Cancellation.none()))).isEmpty();
            assertThat(dumped.differences(connector.fingerprint(target(source), Cancellation.none())))
                    .as("the source moved on").isNotEmpty();
            assertThat(log.steps()).contains("info: fingerprinted the copy: 1 tables");
            assertThat(scratch).isEmptyDirectory();
        } finally {
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutBeingAskedADumpHasNoFingerprint() throws Exception {
        Path source = createDatabase("app.db", "DELETE", 10);

        DumpResult result = new SqliteConnector(scratch).dump(target(source), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none());

        assertThat(result.fingerprint()).isNull();
    }

    @Test
    void reportsItsStepsAndLeavesTheSourceUntouched() throws Exception {
        Path source = createDatabase("app.db", "DELETE", 1_000);
        byte[] original = Files.readAllBytes(source);
        RecordingLog log = new RecordingLog();

        DumpResult result = new SqliteConnector(scratch).dump(target(source), OutputStream.nullOutputStream(), log,
                Cancellation.none());

        assertThat(log.steps()).containsExactly(
                "info: copied " + source + " with the SQLite " + result.serverVersion() + " online backup API",
                "info: sqlite copy streamed: " + original.length + " bytes");
        assertThat(Files.readAllBytes(source)).isEqualTo(original);
        try (Stream<Path> siblings = Files.list(dir)) {
            assertThat(siblings.map(path -> path.getFileName().toString())).containsExactly("app.db");
        }
    }

    @Test
    void cancellingWhileStreamingStopsAndRemovesTheCopy() throws Exception {
        Path source = createDatabase("big.db", "DELETE", 50_000);
        Cancellation cancellation = new Cancellation();
        OutputStream cancelOnFirstWrite = new OutputStream() {
            @Override
            public void write(int b) {
                cancellation.cancel();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                cancellation.cancel();
            }
        };

        assertThatThrownBy(() -> new SqliteConnector(scratch).dump(target(source), cancelOnFirstWrite, DumpLog.discard(),
                cancellation))
                .isInstanceOf(Cancellation.CancelledException.class);
        assertThat(scratch).isEmptyDirectory();
    }

    @Test
    void storageFailingSaysSoAndRemovesTheCopy() throws Exception {
        Path source = createDatabase("app.db", "DELETE", 1_000);
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("No space left on device");
            }
        };

        assertThatThrownBy(() -> new SqliteConnector(scratch).dump(target(source), full, DumpLog.discard(),
                Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessage("writing the dump failed: No space left on device");
        assertThat(scratch).isEmptyDirectory();
    }

    @Test
    void aMissingFileFailsAndIsNotCreated() {
        Path missing = dir.resolve("missing.db");

        assertThatThrownBy(() -> new SqliteConnector(scratch).dump(target(missing), OutputStream.nullOutputStream(),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOf(DumpException.class)
                .hasMessage("cannot copy the SQLite database: database file not found: " + missing);
        assertThat(missing).doesNotExist();
        assertThat(scratch).isEmptyDirectory();
    }

    private Path createDatabase(String name, String journalMode, int rows) throws SQLException {
        Path file = dir.resolve(name);
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=" + journalMode);
            statement.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, body TEXT NOT NULL)");
            statement.execute("CREATE INDEX events_batch ON events (batch)");
            connection.setAutoCommit(false);
            statement.execute("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < " + (rows - 1)
                    + ") INSERT INTO events (batch, body) SELECT -1 - i / " + BATCH + ", hex(randomblob(24)) FROM n");
            connection.commit();
        }
        return file;
    }

    /** Commits batches of {@link #BATCH} rows, one transaction each, until told to stop. */
    private static void insertBatchesUntil(Path file, AtomicBoolean stop, AtomicLong committed) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement pragma = connection.createStatement()) {
            pragma.execute("PRAGMA busy_timeout = 30000");
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO events (batch, body) VALUES (?, ?)")) {
                for (int batch = 0; !stop.get(); batch++) {
                    for (int i = 0; i < BATCH; i++) {
                        insert.setInt(1, batch);
                        insert.setString(2, "written during the dump " + batch + "/" + i);
                        insert.executeUpdate();
                    }
                    connection.commit();
                    committed.addAndGet(BATCH);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    private static ConnectionTarget target(Path file) {
        return new ConnectionTarget(DatabaseKind.SQLITE, null, 0, file.toString(), null, null);
    }
}
