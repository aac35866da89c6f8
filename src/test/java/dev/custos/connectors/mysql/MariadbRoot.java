package dev.custos.connectors.mysql;

import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DatabaseKind;
import dev.custos.engines.RealServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.mariadb.jdbc.Driver;

/** Root's own sessions on the machine's MariaDB, for tests to build databases and look into them. */
final class MariadbRoot {

    private MariadbRoot() {
    }

    static ConnectionTarget target(String database) {
        return new ConnectionTarget(DatabaseKind.MYSQL, RealServers.HOST, RealServers.MARIADB_PORT, database, "root", null);
    }

    /** A session on {@code database} (null: none chosen); the caller closes it. */
    static Connection connect(String database) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "root");
        Connection connection = new Driver().connect("jdbc:mariadb://" + RealServers.HOST + ":" + RealServers.MARIADB_PORT
                + "/", login);
        if (database != null) {
            connection.setCatalog(database);
        }
        return connection;
    }

    static void execute(String database, String... statements) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Each row's columns joined by '|', NULL as "null". */
    static List<String> rows(String database, String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            ResultSetMetaData columns = result.getMetaData();
            while (result.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    values.add(result.getString(i));
                }
                rows.add(String.join("|", values));
            }
        }
        return rows;
    }

    static String value(String database, String query) throws SQLException {
        List<String> rows = rows(database, query);
        if (rows.size() != 1) {
            throw new AssertionError(query + " returned " + rows);
        }
        return rows.get(0);
    }

    /** Whether a database of exactly that name exists. */
    static boolean exists(String database) throws SQLException {
        return rows(null, "SHOW DATABASES").contains(database);
    }
}
