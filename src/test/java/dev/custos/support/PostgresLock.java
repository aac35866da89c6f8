package dev.custos.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Holds an ACCESS EXCLUSIVE lock on a table in an open transaction. A real pg_dump of that database blocks on the
 * lock until it is released, which puts a backup reliably "mid-dump" without timing tricks.
 */
public final class PostgresLock implements AutoCloseable {

    private final Connection connection;

    public PostgresLock(String database, String table) {
        try {
            Properties login = new Properties();
            login.setProperty("user", "postgres");
            connection = new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:5432/" + database, login);
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot lock " + table + " in " + database, e);
        }
    }

    /** True once a pg_dump session of the database waits for this lock. */
    public static boolean dumpIsWaiting(String database) {
        return !Sql.postgresRows("postgres", "SELECT pid FROM pg_stat_activity WHERE datname = '" + database
                + "' AND application_name = 'custos backup' AND wait_event_type = 'Lock'").isEmpty();
    }

    @Override
    public void close() {
        try {
            connection.rollback();
            connection.close();
        } catch (SQLException e) {
            // The connection is gone already (the database was dropped): the lock went with it.
        }
    }
}
