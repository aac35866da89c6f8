package dev.custos.connectors.sqlite;

import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.JdbcConnector;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;

/**
 * SQLite files on the Custos host. The database name is the file's path; host, port and credentials are
 * ignored. Files are only ever opened read-only: testing a mistyped path must not leave an empty database behind.
 */
@Component
public class SqliteConnector extends JdbcConnector {

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.SQLITE;
    }

    @Override
    protected String versionQuery() {
        return "SELECT sqlite_version()";
    }

    /** A SQLite file holds exactly one database: the file itself, named by the path it was given. */
    @Override
    public List<String> listDatabases(ConnectionTarget target, Duration timeout) {
        withConnection(target, timeout, System.nanoTime(), connection -> null);
        return List.of(target.databaseName());
    }

    @Override
    protected <T> T withConnection(ConnectionTarget target, Duration timeout, long started, SqlWork<T> work) {
        requireKind(target);
        Path file = existingFile(target.databaseName());
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        // Another process may hold a write lock; wait for it only as long as the caller allows.
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
        try (Connection connection = config.createConnection("jdbc:sqlite:" + file)) {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("PRAGMA schema_version")) {
                // Opening is lazy: only reading the header tells a database from any other file.
                rows.next();
            }
            return work.run(connection);
        } catch (SQLException e) {
            throw classify(e, file);
        }
    }

    private static Path existingFile(String databaseName) {
        if (databaseName == null || databaseName.isBlank()) {
            throw new ConnectorException(ConnectionErrorType.DatabaseNotFound, "database file path is required");
        }
        Path file;
        try {
            file = Path.of(databaseName).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConnectorException(
                    ConnectionErrorType.ConnectionError, "invalid database file path: " + databaseName, e);
        }
        if (Files.isDirectory(file)) {
            throw new ConnectorException(
                    ConnectionErrorType.ConnectionError, file + " is a directory, not a SQLite database file");
        }
        if (!Files.exists(file)) {
            throw new ConnectorException(ConnectionErrorType.DatabaseNotFound, "database file not found: " + file);
        }
        if (!Files.isReadable(file)) {
            throw new ConnectorException(ConnectionErrorType.ConnectionError, "database file is not readable: " + file);
        }
        return file;
    }

    private static ConnectorException classify(SQLException e, Path file) {
        int code = e.getErrorCode() & 0xff;
        if (code == SQLiteErrorCode.SQLITE_NOTADB.code) {
            return new ConnectorException(ConnectionErrorType.ConnectionError, "not a SQLite database: " + file, e);
        }
        if (code == SQLiteErrorCode.SQLITE_BUSY.code || code == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return new ConnectorException(ConnectionErrorType.Timeout, "database file is locked: " + file, e);
        }
        if (code == SQLiteErrorCode.SQLITE_CANTOPEN.code) {
            // The file vanished or became unreadable between the checks above and the open.
            return new ConnectorException(ConnectionErrorType.DatabaseNotFound, "cannot open database file: " + file, e);
        }
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ConnectorException(ConnectionErrorType.ConnectionError, text.replaceAll("\\s+", " ").trim(), e);
    }

}
