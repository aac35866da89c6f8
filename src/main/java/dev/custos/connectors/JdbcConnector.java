package dev.custos.connectors;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * What every connector that speaks JDBC shares: a connection test is "connect, ask the version, classify what
 * went wrong", timed from the first byte. A subclass says how it connects (its driver, timeouts and error
 * classification) and which query returns the server's version.
 */
public abstract class JdbcConnector implements DatabaseConnector {

    /** Work done on an open connection; may throw SQLException, which the connector classifies. */
    @FunctionalInterface
    protected interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Opens a connection to the target within {@code timeout} (counted from {@code startedNanos}), runs the work
     * and closes it. Every failure is a {@link ConnectorException} with its type.
     */
    protected abstract <T> T withConnection(ConnectionTarget target, Duration timeout, long startedNanos, SqlWork<T> work);

    /** A query whose single value is the server's version. */
    protected abstract String versionQuery();

    /** The version as users know it; by default as the server reports it. */
    protected String version(String reported) {
        return reported;
    }

    @Override
    public ConnectionCheck testConnection(ConnectionTarget target, Duration timeout) {
        long started = System.nanoTime();
        try {
            String version = withConnection(target, timeout, started,
                    connection -> version(queryNames(connection, versionQuery(), name -> true).get(0)));
            return new ConnectionCheck(true, "Connection successful", millisSince(started), null, version);
        } catch (ConnectorException e) {
            return new ConnectionCheck(false, "Connection failed: " + e.getMessage(), millisSince(started), e.type(), null);
        }
    }

    protected void requireKind(ConnectionTarget target) {
        if (target.kind() != kind()) {
            throw new IllegalArgumentException("not a " + kind().value() + " target: " + target);
        }
    }

    /**
     * The first column of every row of a query, keeping those that pass the filter, sorted in Java so the order
     * does not depend on the server's collation.
     */
    protected static List<String> queryNames(Connection connection, String sql, Predicate<String> keep) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                String name = rows.getString(1);
                if (keep.test(name)) {
                    names.add(name);
                }
            }
        }
        names.sort(null);
        return List.copyOf(names);
    }

    /** Driver properties with the credentials: passwords reach drivers only this way, never in a URL. */
    protected static Properties credentials(ConnectionTarget target) {
        Properties properties = new Properties();
        if (target.username() != null) {
            properties.setProperty("user", target.username());
        }
        if (target.password() != null) {
            properties.setProperty("password", target.password());
        }
        return properties;
    }

    /** The host as a JDBC URL needs it: IPv6 literals in brackets. */
    protected static String urlHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    protected static void requireHost(ConnectionTarget target) {
        if (target.host() == null || target.host().isBlank()) {
            throw new ConnectorException(ConnectionErrorType.ConnectionError, "host is required");
        }
    }

    /** Below this, a query after a slow login would fail on a technicality rather than on a slow server. */
    private static final long MIN_QUERY_MILLIS = 250;

    /** Gives the queries on an open connection what is left of the caller's timeout (at least a moment). */
    protected static void boundQueries(Connection connection, long timeoutMillis, long startedNanos) throws SQLException {
        long remaining = timeoutMillis - millisSince(startedNanos);
        connection.setNetworkTimeout(Runnable::run, (int) Math.max(MIN_QUERY_MILLIS, remaining));
    }

    protected static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    protected static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
