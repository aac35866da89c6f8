package dev.custos.connectors.sqlite;

import static dev.custos.connectors.sqlite.SqliteFiles.execute;
import static dev.custos.connectors.sqlite.SqliteFiles.names;
import static dev.custos.connectors.sqlite.SqliteFiles.single;
import static dev.custos.connectors.sqlite.SqliteFiles.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTestSupport.RecordingLog;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real SQLite files: dumps made by the connector, restored by it, compared by fingerprint and by value. */
class SqliteRestoreTest {

    private static final RestoreOptions OPTIONS = RestoreOptions.of(DumpFormat.SQLITE_FILE);
    private static final byte[] ALL_BYTES = allBytes();

    /** Where the databases live, and so where a restore receives its copy. */
    @TempDir
    Path dir;

    /** Where dumps make their copies. */
    @TempDir
    Path scratch;

    /** What the last {@link #dump} wrote. */
    private byte[] dumpBytes;

    @ParameterizedTest(name = "journal_mode={0}")
    @ValueSource(strings = {"DELETE", "WAL"})
    void aRestoredFileHasTheDumpsFingerprintAndItsValues(String journalMode) throws Exception {
        Path source = richDatabase(dir.resolve("source.db"), journalMode);
        Path restored = dir.resolve("restored.db");

        DumpResult dumped = dump(source, true);
        RecordingLog log = new RecordingLog();
        RestoreResult result = connector().restore(target(restored), new ByteArrayInputStream(dumpBytes), OPTIONS, log,
                Cancellation.none());

        Fingerprint expected = dumped.fingerprint();
        assertThat(expected.tables()).containsOnlyKeys("account", "audit", "strict_item", "tag");
        assertThat(expected.tables().get("account").rows()).isEqualTo(3);
        assertThat(expected.sequences()).containsExactly(java.util.Map.entry("account", "4"));
        assertThat(expected.objects()).anyMatch(o -> o.startsWith("trigger account_audit on account: sql "))
                .anyMatch(o -> o.startsWith("view rich: sql "))
                .anyMatch(o -> o.startsWith("index account_name on account: sql "))
                .anyMatch(o -> o.equals("index sqlite_autoindex_account_1 on account: no sql"));
        assertThat(expected.differences(connector().fingerprint(target(restored), Cancellation.none()))).isEmpty();

        assertThat(result.tool()).isEqualTo("sqlite-online-backup");
        assertThat(result.serverVersion()).matches("3\\.\\d+\\.\\d+").isEqualTo(result.toolVersion());
        assertThat(result.warnings()).isEmpty();
        assertThat(log.steps()).containsExactly(
                "info: received the backup: " + dumpBytes.length + " bytes",
                "info: integrity_check of the received copy: ok",
                "info: replaced " + restored + " with the backup using the SQLite " + result.serverVersion()
                        + " online backup API");
        assertThat(Files.getPosixFilePermissions(restored)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertNoRestoreCopyIn(dir);

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + restored);
                Statement statement = connection.createStatement()) {
            assertThat(bytes(statement, "SELECT photo FROM account WHERE name = 'Ada'")).isEqualTo(ALL_BYTES);
            assertThat(doubleValue(statement, "SELECT balance FROM account WHERE name = 'Ada'")).isEqualTo(0.1);
            assertThat(Double.doubleToRawLongBits(doubleValue(statement, "SELECT anything FROM strict_item WHERE id = 2")))
                    .as("-0.0 keeps its sign").isEqualTo(Double.doubleToRawLongBits(-0.0));
            assertThat(string(statement, "SELECT note FROM account WHERE name = 'Ada'")).isNull();
            assertThat(string(statement, "SELECT note FROM account WHERE id = 2")).isEmpty();
            assertThat(string(statement, "SELECT name FROM account WHERE id = 2")).isEqualTo("Zoë 😀 — 日本語");
            assertThat(string(statement, "SELECT group_concat(name, ',') FROM (SELECT name FROM tag ORDER BY name)"))
                    .isEqualTo("blue,green,red");
            assertThat(string(statement, "SELECT count(*) FROM rich")).isEqualTo("1");

            statement.execute("INSERT INTO account (name) VALUES ('Eve')");
            assertThat(string(statement, "SELECT id FROM account WHERE name = 'Eve'"))
                    .as("AUTOINCREMENT goes on after the deleted row 4, as in the source").isEqualTo("5");
            assertThat(string(statement, "SELECT what FROM audit WHERE at = 5")).as("the trigger fires")
                    .isEqualTo("insert Eve");
            assertThatThrownBy(() -> statement.execute("INSERT INTO strict_item (id, qty) VALUES (9, 'many')"))
                    .as("STRICT still holds").hasMessageContaining("cannot store TEXT value in INTEGER column");
        }
    }

    @Test
    void aFileThatIsOpenElsewhereIsReplacedAtOnceForItsReaders() throws Exception {
        Path source = richDatabase(dir.resolve("source.db"), "WAL");
        dump(source, false);
        Path target = execute(dir.resolve("app.db"), "PRAGMA journal_mode=WAL", "CREATE TABLE old_stuff (x)",
                "INSERT INTO old_stuff VALUES (1), (2)");

        try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + target);
                Statement statement = reader.createStatement()) {
            statement.execute("BEGIN");
            assertThat(string(statement, "SELECT count(*) FROM old_stuff")).isEqualTo("2");

            connector().restore(target(target), new ByteArrayInputStream(dumpBytes), OPTIONS, DumpLog.discard(),
                    Cancellation.none());

            assertThat(string(statement, "SELECT count(*) FROM old_stuff"))
                    .as("a reader inside its transaction still sees the database it started with").isEqualTo("2");
            statement.execute("COMMIT");
            assertThat(string(statement, "SELECT count(*) FROM sqlite_master WHERE name = 'old_stuff'")).isEqualTo("0");
            assertThat(string(statement, "SELECT count(*) FROM account")).isEqualTo("3");
        }
    }

    @Test
    void anExistingTargetHoldsExactlyTheBackupAfterwardsWhateverTheOptions() throws Exception {
        Path source = richDatabase(dir.resolve("source.db"), "DELETE");
        Fingerprint dumped = dump(source, true).fingerprint();
        Path target = execute(dir.resolve("app.db"), "CREATE TABLE old_stuff (x)", "INSERT INTO old_stuff VALUES (1)",
                "CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT)", "INSERT INTO account VALUES (7, 'Mallory')",
                "CREATE VIEW old_view AS SELECT * FROM old_stuff");

        // strictDelete=false, replace=true: a SQLite restore replaces the whole file either way.
        connector().restore(target(target), new ByteArrayInputStream(dumpBytes), OPTIONS.withStrictDelete(false),
                DumpLog.discard(), Cancellation.none());

        assertThat(dumped.differences(connector().fingerprint(target(target), Cancellation.none()))).isEmpty();
        assertThat(single(target, "SELECT count(*) FROM account WHERE name = 'Mallory'")).isEqualTo("0");
    }

    @Test
    void aStreamThatFailsAtItsEndLeavesTheTargetAsItWas() throws Exception {
        dump(richDatabase(dir.resolve("source.db"), "DELETE"), false);
        Path target = oldTarget();
        byte[] before = Files.readAllBytes(target);
        InputStream failsAtEnd = new SequenceThenFailure(dumpBytes, new IOException("SHA-256 does not match the manifest"));

        assertThatThrownBy(() -> connector().restore(target(target), failsAtEnd, OPTIONS, DumpLog.discard(),
                Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("reading the backup failed: SHA-256 does not match the manifest; the target was not changed");
        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        assertThat(names(dir)).containsExactly("app.db", "source.db");
    }

    @Test
    void aTruncatedBackupFailsItsIntegrityCheckAndLeavesTheTargetAsItWas() throws Exception {
        Path source = execute(dir.resolve("source.db"), "CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT)",
                "CREATE INDEX big_body ON big (body)",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                        + "INSERT INTO big (body) SELECT hex(randomblob(100)) FROM n");
        dump(source, false);
        Path target = oldTarget();
        byte[] before = Files.readAllBytes(target);
        byte[] half = Arrays.copyOf(dumpBytes, dumpBytes.length / 2);

        assertThatThrownBy(() -> connector().restore(target(target), new ByteArrayInputStream(half), OPTIONS,
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageStartingWith("the backup is not a sound SQLite database: ")
                .hasMessageEndingWith("; the target was not changed");
        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        assertThat(names(dir)).containsExactly("app.db", "source.db");
    }

    @Test
    void aCorruptFileWithAValidHeaderFailsItsIntegrityCheck() throws Exception {
        Path source = execute(dir.resolve("source.db"), "PRAGMA page_size=4096",
                "CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT)",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                        + "INSERT INTO big (body) SELECT hex(randomblob(100)) FROM n");
        dump(source, false);
        long seed = new Random().nextLong();
        System.out.println("garbage seed: " + seed);
        byte[] corrupt = dumpBytes.clone();
        // Page 1 (header and schema) stays; every other page becomes noise.
        byte[] noise = new byte[corrupt.length - 4096];
        new Random(seed).nextBytes(noise);
        System.arraycopy(noise, 0, corrupt, 4096, noise.length);
        Path target = oldTarget();
        byte[] before = Files.readAllBytes(target);

        assertThatThrownBy(() -> connector().restore(target(target), new ByteArrayInputStream(corrupt), OPTIONS,
                DumpLog.discard(), Cancellation.none()))
                .as("seed %d", seed)
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessageStartingWith("the backup is not a sound SQLite database: ")
                .hasMessageEndingWith("; the target was not changed")
                .hasMessageNotContaining("\n");
        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        assertThat(names(dir)).containsExactly("app.db", "source.db");
    }

    @Test
    void bytesThatAreNoSqliteFileAreRefusedBeforeTheirEnd() throws Exception {
        Path target = oldTarget();
        byte[] before = Files.readAllBytes(target);
        byte[] text = "-- PostgreSQL database dump\nCREATE TABLE t (x int);\n".repeat(1000).getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> connector().restore(target(target), new SequenceThenFailure(text,
                new IOException("read past the head")), OPTIONS, DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("the backup is not a SQLite database file (it does not start with \"SQLite format 3\"); "
                        + "the target was not changed");
        assertThatThrownBy(() -> connector().restore(target(target), InputStream.nullInputStream(), OPTIONS,
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOf(RestoreException.class)
                .hasMessage("the backup is empty; the target was not changed");
        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        assertThat(names(dir)).containsExactly("app.db");
    }

    @Test
    void aDumpOfAnotherFormatIsRefusedWithoutReadingIt() throws Exception {
        Path target = oldTarget();
        InputStream unread = new SequenceThenFailure(new byte[0], new IOException("must not be read"));

        assertThatThrownBy(() -> connector().restore(target(target), unread, RestoreOptions.of(DumpFormat.PG_CUSTOM),
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("a SQLite database is restored from a SQLite database file, not from a pg_custom dump; "
                        + "the target was not changed");
    }

    @ParameterizedTest(name = "journal_mode={0}")
    @ValueSource(strings = {"DELETE", "WAL"})
    void aTargetLockedByAnotherWriterIsReportedInUseAndLeftAsItWas(String journalMode) throws Exception {
        dump(richDatabase(dir.resolve("source.db"), "DELETE"), false);
        Path target = execute(dir.resolve("app.db"), "PRAGMA journal_mode=" + journalMode,
                "CREATE TABLE old_stuff (x)", "INSERT INTO old_stuff VALUES (1)");
        Fingerprint before = connector().fingerprint(target(target), Cancellation.none());

        try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + target);
                Statement statement = writer.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            statement.execute("INSERT INTO old_stuff VALUES (2)");

            assertThatThrownBy(() -> connector().restore(target(target), new ByteArrayInputStream(dumpBytes), OPTIONS,
                    DumpLog.discard(), Cancellation.none()))
                    .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                    .hasMessage(target + " is in use: another connection kept it locked for 1 s; let it finish or "
                            + "close it, then restore again; the target was not changed");
            statement.execute("ROLLBACK");
        }
        assertThat(before.differences(connector().fingerprint(target(target), Cancellation.none()))).isEmpty();
        assertNoRestoreCopyIn(dir);
    }

    @Test
    void cancellingWhileTheBackupArrivesStopsAndRemovesTheCopy() throws Exception {
        dump(richDatabase(dir.resolve("source.db"), "DELETE"), false);
        Path target = oldTarget();
        byte[] before = Files.readAllBytes(target);
        Cancellation cancellation = new Cancellation();
        CountDownLatch cancelled = new CountDownLatch(1);
        cancellation.onCancel(cancelled::countDown);
        CountDownLatch waiting = new CountDownLatch(1);
        InputStream stalls = new InputStream() {
            private int reads;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (reads++ == 0) {
                    int n = Math.min(len, 4096);
                    System.arraycopy(dumpBytes, 0, b, off, n);
                    return n;
                }
                waiting.countDown();
                try {
                    if (!cancelled.await(60, TimeUnit.SECONDS)) {
                        throw new IOException("the test never cancelled");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                b[off] = dumpBytes[4096];
                return 1;
            }
        };

        CompletableFuture<RestoreResult> restore = CompletableFuture.supplyAsync(() -> connector().restore(
                target(target), stalls, OPTIONS, DumpLog.discard(), cancellation));
        assertThat(waiting.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(names(dir)).anyMatch(name -> name.startsWith(SqliteConnector.RESTORE_COPY_PREFIX));
        cancellation.cancel();

        assertThatThrownBy(() -> restore.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(Cancellation.CancelledException.class);
        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        assertThat(names(dir)).containsExactly("app.db", "source.db");
    }

    @Test
    void cancellingOnceTheBackupHasArrivedStopsBeforeTheTargetIsTouched() throws Exception {
        dump(richDatabase(dir.resolve("source.db"), "DELETE"), false);
        Path target = oldTarget();
        byte[] before = Files.readAllBytes(target);
        Cancellation cancellation = new Cancellation();
        DumpLog cancelWhenReceived = (level, message) -> {
            if (message.startsWith("received the backup")) {
                cancellation.cancel();
            }
        };

        assertThatThrownBy(() -> connector().restore(target(target), new ByteArrayInputStream(dumpBytes), OPTIONS,
                cancelWhenReceived, cancellation))
                .isInstanceOf(Cancellation.CancelledException.class);
        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        assertThat(names(dir)).containsExactly("app.db", "source.db");
    }

    @Test
    void aFileThatIsNoDatabaseIsNotOverwritten() throws Exception {
        dump(richDatabase(dir.resolve("source.db"), "DELETE"), false);
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not a database\n".repeat(500));

        assertThatThrownBy(() -> connector().restore(target(notes), new ByteArrayInputStream(dumpBytes), OPTIONS,
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage(notes + " exists but is not a SQLite database; the target was not changed");
        assertThat(notes).hasContent("not a database\n".repeat(500).stripTrailing());
        assertNoRestoreCopyIn(dir);
    }

    @Test
    void aWalTargetWithOtherPagesSaysWhySQLiteCannotLoadIt() throws Exception {
        dump(execute(dir.resolve("source.db"), "PRAGMA page_size=8192", "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)"),
                false);
        Path target = execute(dir.resolve("app.db"), "PRAGMA page_size=4096", "PRAGMA journal_mode=WAL",
                "CREATE TABLE old_stuff (x)");

        assertThatThrownBy(() -> connector().restore(target(target), new ByteArrayInputStream(dumpBytes), OPTIONS,
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage(target + " is in WAL mode with pages of 4096 bytes and the backup's are 8192 bytes, which "
                        + "SQLite cannot change in WAL mode; restore into a new file, or set PRAGMA journal_mode=DELETE "
                        + "on the target first; the target was not changed");
        assertThat(single(target, "SELECT count(*) FROM sqlite_master WHERE name = 'old_stuff'")).isEqualTo("1");
    }

    @Test
    void aTargetInAMissingDirectoryIsRefusedBeforeReading() {
        Path target = dir.resolve("no/such/dir/app.db");

        assertThatThrownBy(() -> connector().restore(target(target), InputStream.nullInputStream(), OPTIONS,
                DumpLog.discard(), Cancellation.none()))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("directory " + target.getParent() + " does not exist");
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private SqliteConnector connector() {
        return new SqliteConnector(scratch, Duration.ofSeconds(1));
    }

    /** Dumps with the connector; the bytes land in {@link #dumpBytes}. */
    private DumpResult dump(Path source, boolean fingerprint) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DumpResult result = connector().dump(target(source), out, DumpLog.discard(), Cancellation.none(), fingerprint);
        dumpBytes = out.toByteArray();
        return result;
    }

    private Path oldTarget() throws SQLException {
        return execute(dir.resolve("app.db"), "CREATE TABLE old_stuff (x)", "INSERT INTO old_stuff VALUES ('keep me')");
    }

    /**
     * What a restore must carry over: STRICT and WITHOUT ROWID tables, AUTOINCREMENT with a deleted last row (so
     * sqlite_sequence is ahead of max(id)), a trigger, a view, indexes, every byte value, reals, -0.0, NULL next to
     * '', text beyond the BMP.
     */
    private static Path richDatabase(Path file, String journalMode) throws SQLException {
        execute(file, "PRAGMA journal_mode=" + journalMode,
                "CREATE TABLE account (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, note TEXT, "
                        + "balance REAL, photo BLOB, email TEXT UNIQUE)",
                "CREATE TABLE audit (at INTEGER, what TEXT)",
                "CREATE TABLE strict_item (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL, anything ANY) STRICT",
                "CREATE TABLE tag (name TEXT PRIMARY KEY, weight REAL) WITHOUT ROWID",
                "CREATE INDEX account_name ON account (name)",
                "CREATE VIEW rich AS SELECT name, balance FROM account WHERE balance > 100",
                "CREATE TRIGGER account_audit AFTER INSERT ON account BEGIN "
                        + "INSERT INTO audit VALUES (new.id, 'insert ' || new.name); END");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement account = connection.prepareStatement(
                        "INSERT INTO account (name, note, balance, photo) VALUES (?, ?, ?, ?)");
                PreparedStatement item = connection.prepareStatement("INSERT INTO strict_item VALUES (?, ?, ?)");
                Statement statement = connection.createStatement()) {
            account.setString(1, "Ada");
            account.setNull(2, java.sql.Types.VARCHAR);
            account.setDouble(3, 0.1);
            account.setBytes(4, ALL_BYTES);
            account.executeUpdate();
            account.setString(1, "Zoë 😀 — 日本語");
            account.setString(2, "");
            account.setDouble(3, -0.0);
            account.setBytes(4, new byte[0]);
            account.executeUpdate();
            account.setString(1, "Croesus");
            account.setString(2, "rich");
            account.setDouble(3, 1e308);
            account.setNull(4, java.sql.Types.BLOB);
            account.executeUpdate();
            account.setString(1, "Temp");
            account.setNull(2, java.sql.Types.VARCHAR);
            account.setNull(3, java.sql.Types.REAL);
            account.setNull(4, java.sql.Types.BLOB);
            account.executeUpdate();
            statement.execute("DELETE FROM account WHERE name = 'Temp'");
            Object[] anything = {42L, -0.0, "text", ALL_BYTES, null};
            for (int i = 0; i < anything.length; i++) {
                item.setInt(1, i + 1);
                item.setInt(2, i * 10);
                item.setObject(3, anything[i]);
                item.executeUpdate();
            }
            statement.execute("INSERT INTO tag VALUES ('red', 1.5), ('green', 0.1), ('blue', NULL)");
        }
        return file;
    }

    private static void assertNoRestoreCopyIn(Path directory) throws IOException {
        assertThat(names(directory)).noneMatch(name -> name.startsWith(SqliteConnector.RESTORE_COPY_PREFIX));
    }

    private static byte[] allBytes() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private static String string(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static byte[] bytes(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getBytes(1);
        }
    }

    private static double doubleValue(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getDouble(1);
        }
    }

    /** Gives its bytes, then throws where a stream would end: what a stored backup does when its hash is wrong. */
    private static final class SequenceThenFailure extends InputStream {
        private final ByteArrayInputStream bytes;
        private final IOException failure;

        SequenceThenFailure(byte[] content, IOException failure) {
            this.bytes = new ByteArrayInputStream(content);
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            int b = bytes.read();
            if (b < 0) {
                throw failure;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = bytes.read(b, off, len);
            if (n < 0) {
                throw failure;
            }
            return n;
        }
    }
}
