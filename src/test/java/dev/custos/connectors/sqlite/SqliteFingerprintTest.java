package dev.custos.connectors.sqlite;

import static dev.custos.connectors.sqlite.SqliteFiles.execute;
import static dev.custos.connectors.sqlite.SqliteFiles.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.Fingerprint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a SQLite fingerprint notices and what it does not; real files, read by the connector. */
class SqliteFingerprintTest {

    private static final String[] SHOP = {
        "CREATE TABLE item (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, price REAL)",
        "CREATE TABLE log (what TEXT)",
        "CREATE TRIGGER item_log AFTER INSERT ON item BEGIN INSERT INTO log VALUES (new.name); END",
        "CREATE VIEW cheap AS SELECT name FROM item WHERE price < 10",
        "INSERT INTO item (name, price) VALUES ('apple', 1.5), ('pear', 2.25), ('melon', 12)",
    };

    @TempDir
    Path dir;

    private final SqliteConnector connector = new SqliteConnector();

    @Test
    void coversTablesSequencesAndEveryObject() throws Exception {
        Fingerprint fingerprint = fingerprint(execute(dir.resolve("shop.db"), SHOP));

        assertThat(fingerprint.kind()).isEqualTo("sqlite");
        assertThat(fingerprint.tables()).containsOnlyKeys("item", "log");
        assertThat(fingerprint.tables().get("item").rows()).isEqualTo(3);
        assertThat(fingerprint.tables().get("log").rows()).isEqualTo(3);
        assertThat(fingerprint.tables().get("item").contentHash()).matches("[0-9a-f]{64}");
        assertThat(fingerprint.sequences()).containsExactly(java.util.Map.entry("item", "3"));
        assertThat(fingerprint.objects()).hasSize(5)
                .anyMatch(o -> o.matches("table item: sql [0-9a-f]{16}"))
                .anyMatch(o -> o.matches("table log: sql [0-9a-f]{16}"))
                .anyMatch(o -> o.matches("table sqlite_sequence: sql [0-9a-f]{16}"))
                .anyMatch(o -> o.matches("trigger item_log on item: sql [0-9a-f]{16}"))
                .anyMatch(o -> o.matches("view cheap: sql [0-9a-f]{16}"));
    }

    @Test
    void theSameDatabaseTwiceHasNoDifferences() throws Exception {
        Path a = execute(dir.resolve("a.db"), SHOP);
        Path b = execute(dir.resolve("b.db"), SHOP);

        assertThat(fingerprint(a).differences(fingerprint(b))).isEmpty();
    }

    @Test
    void aChangedValueIsDifferentContent() throws Exception {
        Path shop = execute(dir.resolve("shop.db"), SHOP);
        Fingerprint before = fingerprint(shop);

        execute(shop, "UPDATE item SET price = 2.26 WHERE name = 'pear'");

        assertThat(before.differences(fingerprint(shop)))
                .containsExactly("table item has the same 3 rows but different content");
    }

    @Test
    void aDroppedTriggerIsMissing() throws Exception {
        Path shop = execute(dir.resolve("shop.db"), SHOP);
        Fingerprint before = fingerprint(shop);
        String trigger = before.objects().stream().filter(o -> o.startsWith("trigger ")).findFirst().orElseThrow();

        execute(shop, "DROP TRIGGER item_log");

        assertThat(before.differences(fingerprint(shop))).containsExactly("missing: " + trigger);
    }

    @Test
    void aChangedDefinitionIsMissingAndUnexpectedButWhitespaceIsNot() throws Exception {
        Path a = execute(dir.resolve("a.db"), "CREATE TABLE t (x)", "CREATE VIEW v AS SELECT x, 'a  b' AS s FROM t");
        Path spaced = execute(dir.resolve("spaced.db"), "CREATE TABLE t (x)",
                "CREATE VIEW v AS\n    SELECT x,\t'a  b' AS s\n    FROM t");
        Path literal = execute(dir.resolve("literal.db"), "CREATE TABLE t (x)",
                "CREATE VIEW v AS SELECT x, 'a b' AS s FROM t");

        assertThat(fingerprint(a).differences(fingerprint(spaced))).isEmpty();
        assertThat(fingerprint(a).differences(fingerprint(literal)))
                .hasSize(2)
                .anyMatch(d -> d.startsWith("missing: view v: sql "))
                .anyMatch(d -> d.startsWith("unexpected: view v: sql "));
    }

    @Test
    void anAdvancedSequenceShows() throws Exception {
        Path shop = execute(dir.resolve("shop.db"), SHOP);
        Fingerprint before = fingerprint(shop);

        execute(shop, "INSERT INTO item (name) VALUES ('gone')", "DELETE FROM item WHERE name = 'gone'",
                "DELETE FROM log WHERE what = 'gone'");

        assertThat(before.differences(fingerprint(shop))).containsExactly("sequence item is at 4, expected 3");
    }

    @Test
    void aDuplicateRowCountsAndDuplicatesDoNotCancelOut() throws Exception {
        Path once = execute(dir.resolve("once.db"), "CREATE TABLE t (x)", "INSERT INTO t VALUES ('a')");
        Path twice = execute(dir.resolve("twice.db"), "CREATE TABLE t (x)", "INSERT INTO t VALUES ('a'), ('a')");
        Path otherTwice = execute(dir.resolve("b.db"), "CREATE TABLE t (x)", "INSERT INTO t VALUES ('b'), ('b')");
        Path empty = execute(dir.resolve("empty.db"), "CREATE TABLE t (x)");

        assertThat(fingerprint(once).differences(fingerprint(twice))).containsExactly("table t has 2 rows, expected 1");
        // With XOR, {a, a} and {b, b} would both hash to zero, like an empty table.
        assertThat(fingerprint(twice).differences(fingerprint(otherTwice)))
                .containsExactly("table t has the same 2 rows but different content");
        assertThat(fingerprint(twice).tables().get("t").contentHash())
                .isNotEqualTo(fingerprint(empty).tables().get("t").contentHash());
    }

    @Test
    void rowOrderDoesNotMatter() throws Exception {
        Path forward = execute(dir.resolve("forward.db"), "CREATE TABLE t (x, y)",
                "INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, NULL), (3, NULL)");
        Path backward = execute(dir.resolve("backward.db"), "CREATE TABLE t (x, y)",
                "INSERT INTO t VALUES (3, NULL), (3, NULL), (2, 'two'), (1, 'one')");

        assertThat(fingerprint(forward).differences(fingerprint(backward))).isEmpty();
    }

    @ParameterizedTest(name = "{0} vs {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "1          | 1.0",
        "1          | '1'",
        "'1'        | x'31'",
        "NULL       | ''",
        "''         | x''",
        "0.0        | -0.0",
        "'a'        | 'a '",
        "1          | 2",
    })
    void valuesOfAnotherTypeOrBitPatternDiffer(String one, String other) throws Exception {
        // A column without a type keeps each value's own type.
        Path a = execute(dir.resolve("a.db"), "CREATE TABLE t (v)", "INSERT INTO t VALUES (" + one + ")");
        Path b = execute(dir.resolve("b.db"), "CREATE TABLE t (v)", "INSERT INTO t VALUES (" + other + ")");

        assertThat(fingerprint(a).differences(fingerprint(b)))
                .containsExactly("table t has the same 1 rows but different content");
    }

    @Test
    void valuesDoNotRunIntoTheNextColumn() throws Exception {
        Path a = execute(dir.resolve("a.db"), "CREATE TABLE t (x, y)", "INSERT INTO t VALUES ('ab', 'c')");
        Path b = execute(dir.resolve("b.db"), "CREATE TABLE t (x, y)", "INSERT INTO t VALUES ('a', 'bc')");

        assertThat(fingerprint(a).differences(fingerprint(b))).isNotEmpty();
    }

    @Test
    void withoutRowidAndStrictTablesAreRead() throws Exception {
        Path file = execute(dir.resolve("kinds.db"),
                "CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID",
                "CREATE TABLE s (id INTEGER PRIMARY KEY, n INTEGER NOT NULL) STRICT",
                "INSERT INTO kv VALUES ('a', x'00ff'), ('b', NULL)", "INSERT INTO s VALUES (1, 10), (2, 20)");

        Fingerprint fingerprint = fingerprint(file);

        assertThat(fingerprint.tables()).containsOnlyKeys("kv", "s");
        assertThat(fingerprint.tables().get("kv").rows()).isEqualTo(2);
        assertThat(fingerprint.tables().get("s").rows()).isEqualTo(2);
    }

    @Test
    void aVirtualTableCountsThroughItsShadowTables() throws Exception {
        Path file = execute(dir.resolve("search.db"), "CREATE VIRTUAL TABLE docs USING fts5(body)",
                "INSERT INTO docs VALUES ('restores are proven'), ('backups are kept')");
        Fingerprint before = fingerprint(file);

        execute(file, "INSERT INTO docs VALUES ('audits are sealed')");

        assertThat(before.tables()).doesNotContainKey("docs").containsKeys("docs_content", "docs_data");
        assertThat(before.tables().get("docs_content").rows()).isEqualTo(2);
        assertThat(before.objects()).anyMatch(o -> o.startsWith("table docs: sql "));
        assertThat(before.differences(fingerprint(file))).contains("table docs_content has 3 rows, expected 2");
    }

    @Test
    void aCancelledFingerprintStops() throws Exception {
        Path shop = execute(dir.resolve("shop.db"), SHOP);
        Cancellation cancellation = new Cancellation();
        cancellation.cancel();

        assertThatThrownBy(() -> connector.fingerprint(target(shop), cancellation))
                .isInstanceOf(Cancellation.CancelledException.class);
    }

    /** Each commit adds one row to both tables; a fingerprint read in one snapshot sees them equal. */
    @Test
    void aDatabaseWrittenMeanwhileIsReadAsOfOneCommit() throws Exception {
        Path file = execute(dir.resolve("pairs.db"), "PRAGMA journal_mode=WAL", "CREATE TABLE a (n)", "CREATE TABLE b (n)",
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100000) "
                        + "INSERT INTO a SELECT i FROM s",
                "INSERT INTO b SELECT n FROM a");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong commits = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writePairsUntil(file, stop, commits));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> commits.get() >= 10);
            long before = commits.get();

            Fingerprint fingerprint = fingerprint(file);

            long after = commits.get();
            assertThat(after).as("the writer committed while the fingerprint was read").isGreaterThan(before);
            assertThat(fingerprint.tables().get("a").rows()).isEqualTo(fingerprint.tables().get("b").rows());
        } finally {
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    private static void writePairsUntil(Path file, AtomicBoolean stop, AtomicLong commits) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 30000");
            for (long n = 0; !stop.get(); n++) {
                statement.execute("BEGIN IMMEDIATE");
                statement.execute("INSERT INTO a VALUES (" + n + ")");
                statement.execute("INSERT INTO b VALUES (" + n + ")");
                statement.execute("COMMIT");
                commits.incrementAndGet();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Fingerprint fingerprint(Path file) {
        return connector.fingerprint(target(file), Cancellation.none());
    }
}
