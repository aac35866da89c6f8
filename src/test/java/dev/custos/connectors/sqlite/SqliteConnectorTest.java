package dev.custos.connectors.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custos.connectors.ConnectionCheck;
import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** Real SQLite files in a temporary directory; no server needed, hence a unit test. */
class SqliteConnectorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final SqliteConnector connector = new SqliteConnector();

    @TempDir
    Path dir;

    @Test
    void connectsToADatabaseFileAndReportsTheLibraryVersion() throws Exception {
        Path file = createDatabase("app.db");

        ConnectionCheck check = connector.testConnection(target(file.toString()), TIMEOUT);

        assertThat(check.success()).as(check.message()).isTrue();
        assertThat(check.message()).isEqualTo("Connection successful");
        assertThat(check.serverVersion()).matches("3\\.\\d+\\.\\d+");
    }

    @Test
    void missingFileIsDatabaseNotFoundAndIsNotCreated() {
        Path missing = dir.resolve("missing.db");

        ConnectionCheck check = connector.testConnection(target(missing.toString()), TIMEOUT);

        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.DatabaseNotFound);
        assertThat(check.message()).startsWith("Connection failed: ").contains("missing.db");
        assertThat(missing).doesNotExist();
    }

    @Test
    void textFileIsConnectionErrorNamingTheProblem() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "these are not the tables you are looking for\n".repeat(20));

        ConnectionCheck check = connector.testConnection(target(text.toString()), TIMEOUT);

        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.ConnectionError);
        assertThat(check.message()).contains("not a SQLite database");
        assertThat(text).hasContent("these are not the tables you are looking for\n".repeat(20).stripTrailing());
    }

    @Test
    void directoryIsConnectionError() {
        ConnectionCheck check = connector.testConnection(target(dir.toString()), TIMEOUT);

        assertThat(check.errorType()).isEqualTo(ConnectionErrorType.ConnectionError);
        assertThat(check.message()).contains("directory");
    }

    @Test
    void listDatabasesNamesTheFileItself() throws Exception {
        Path file = createDatabase("one.db");

        assertThat(connector.listDatabases(target(file.toString()), TIMEOUT)).containsExactly(file.toString());
    }

    @Test
    void listDatabasesOfAMissingFileThrowsDatabaseNotFound() {
        assertThatThrownBy(() -> connector.listDatabases(target(dir.resolve("nope.db").toString()), TIMEOUT))
                .isInstanceOfSatisfying(ConnectorException.class,
                        e -> assertThat(e.type()).isEqualTo(ConnectionErrorType.DatabaseNotFound));
        assertThat(dir.resolve("nope.db")).doesNotExist();
    }

    private Path createDatabase(String name) throws Exception {
        Path file = dir.resolve(name);
        try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)");
            statement.execute("INSERT INTO item (name) VALUES ('first')");
        }
        return file;
    }

    private static ConnectionTarget target(String path) {
        return new ConnectionTarget(DatabaseKind.SQLITE, null, 0, path, null, null);
    }
}
