package dev.custos.connectors.sqlite;

import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

/** Real SQLite files for the tests of this package: written and read with plain JDBC, not with the connector. */
final class SqliteFiles {

    private SqliteFiles() {
    }

    static ConnectionTarget target(Path file) {
        return new ConnectionTarget(DatabaseKind.SQLITE, null, 0, file.toString(), null, null);
    }

    /** Runs each statement in autocommit mode, creating the file if needed. */
    static Path execute(Path file, String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
        return file;
    }

    static String single(Path file, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    /** Names of the files in a directory, for asserting that nothing was left behind. */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
