package dev.custos.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Runs SQL on a database of the machine's real servers (PostgreSQL as postgres, MariaDB as root), to fill a
 * source before a backup and read a restored copy after it.
 */
public final class Sql {

    private Sql() {
    }

    public static void postgres(String database, String... statements) {
        try (Connection c = postgres(database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL " + database + ": " + e.getMessage(), e);
        }
    }

    public static void mariadb(String database, String... statements) {
        try (Connection c = mariadb(database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB " + database + ": " + e.getMessage(), e);
        }
    }

    /** Every row of a query as text columns joined by '|', in the query's order. */
    public static List<String> postgresRows(String database, String query) {
        try (Connection c = postgres(database)) {
            return rows(c, query);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL " + database + ": " + e.getMessage(), e);
        }
    }

    public static List<String> mariadbRows(String database, String query) {
        try (Connection c = mariadb(database)) {
            return rows(c, query);
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB " + database + ": " + e.getMessage(), e);
        }
    }

    public static List<String> sqliteRows(String file, String query) {
        try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file, new Properties())) {
            return rows(c, query);
        } catch (SQLException e) {
            throw new IllegalStateException("SQLite " + file + ": " + e.getMessage(), e);
        }
    }

    public static void sqlite(String file, String... statements) {
        try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file, new Properties());
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQLite " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> rows(Connection c, String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    if (i > 1) {
                        row.append('|');
                    }
                    row.append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    private static Connection postgres(String database) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        return new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:5432/" + database, login);
    }

    private static Connection mariadb(String database) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "root");
        return new org.mariadb.jdbc.Driver().connect("jdbc:mariadb://127.0.0.1:3306/" + database, login);
    }
}
