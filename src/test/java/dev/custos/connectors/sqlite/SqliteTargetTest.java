package dev.custos.connectors.sqlite;

import static dev.custos.connectors.sqlite.SqliteFiles.execute;
import static dev.custos.connectors.sqlite.SqliteFiles.names;
import static dev.custos.connectors.sqlite.SqliteFiles.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.RestoreException;
import dev.custos.connectors.TargetState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inspect, createDatabase and dropDatabase on real files. */
class SqliteTargetTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final SqliteConnector connector = new SqliteConnector();

    @Test
    void aMissingFileIsATargetThatDoesNotExist() throws Exception {
        TargetState state = connector.inspect(target(dir.resolve("missing.db")), TIMEOUT);

        assertThat(state.exists()).isFalse();
        assertThat(state.userObjects()).isZero();
        assertThat(state.otherSessions()).isEmpty();
        assertThat(state.serverVersion()).matches("3\\.\\d+\\.\\d+");
        assertThat(names(dir)).isEmpty();
    }

    @Test
    void userObjectsAreCountedWithoutSqlitesOwn() throws Exception {
        Path file = execute(dir.resolve("app.db"),
                "CREATE TABLE item (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT UNIQUE)",
                "CREATE INDEX item_code ON item (code)", "CREATE VIEW codes AS SELECT code FROM item",
                "CREATE TRIGGER item_noop AFTER INSERT ON item BEGIN SELECT 1; END",
                "INSERT INTO item (code) VALUES ('a')", "ANALYZE");

        TargetState state = connector.inspect(target(file), TIMEOUT);

        // sqlite_sequence, sqlite_autoindex_item_1 and sqlite_stat1 are SQLite's, not the user's.
        assertThat(state.exists()).isTrue();
        assertThat(state.userObjects()).isEqualTo(4);
        assertThat(state.empty()).isFalse();
        assertThat(state.otherSessions()).isEmpty();
    }

    @Test
    void aCreatedDatabaseIsAnEmptySqliteFileForItsOwnerOnly() throws Exception {
        Path file = dir.resolve("new.db");

        connector.createDatabase(target(file), TIMEOUT);

        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Arrays.copyOf(Files.readAllBytes(file), 16))
                .isEqualTo("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII));
        TargetState state = connector.inspect(target(file), TIMEOUT);
        assertThat(state.exists()).isTrue();
        assertThat(state.empty()).isTrue();
        assertThat(names(dir)).containsExactly("new.db");
    }

    @Test
    void creatingAnExistingDatabaseFailsAndLeavesItAlone() throws Exception {
        Path file = execute(dir.resolve("app.db"), "CREATE TABLE keep (x)");
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> connector.createDatabase(target(file), TIMEOUT))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage("database file already exists: " + file);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void droppingDeletesTheFileWithItsWalAndShmEvenWhileItIsOpen() throws Exception {
        Path file = execute(dir.resolve("app.db"), "PRAGMA journal_mode=WAL", "CREATE TABLE t (x)");
        try (Connection open = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = open.createStatement()) {
            statement.execute("INSERT INTO t VALUES (1)");
            assertThat(names(dir)).containsExactly("app.db", "app.db-shm", "app.db-wal");

            connector.dropDatabase(target(file), TIMEOUT);

            assertThat(names(dir)).isEmpty();
        }
    }

    @Test
    void droppingAMissingDatabaseDoesNothing() throws Exception {
        connector.dropDatabase(target(dir.resolve("missing.db")), TIMEOUT);

        assertThat(names(dir)).isEmpty();
    }

    @Test
    void aFileThatIsNoDatabaseIsNotDropped() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "my notes");

        assertThatThrownBy(() -> connector.dropDatabase(target(notes), TIMEOUT))
                .isInstanceOfSatisfying(RestoreException.class, e -> assertThat(e.targetTouched()).isFalse())
                .hasMessage(notes + " is not a SQLite database; it was not deleted");
        assertThat(notes).hasContent("my notes");
    }

    @Test
    void aCreatedAndDroppedDatabaseLeavesNothing() throws Exception {
        Path file = dir.resolve("scratch.db");

        connector.createDatabase(target(file), TIMEOUT);
        connector.dropDatabase(target(file), TIMEOUT);

        assertThat(connector.inspect(target(file), TIMEOUT).exists()).isFalse();
        assertThat(names(dir)).isEmpty();
    }
}
