package dev.custos.connectors.postgres;

import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.JdbcConnector;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.stereotype.Component;

/** PostgreSQL through pgjdbc, called directly so that no global DriverManager state is touched. */
@Component
public class PostgresConnector extends JdbcConnector {

    private static final String MAINTENANCE_DATABASE = "postgres";

    private final Driver driver = new Driver();

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.POSTGRESQL;
    }

    @Override
    protected String versionQuery() {
        return "SHOW server_version";
    }

    @Override
    public List<String> listDatabases(ConnectionTarget target, Duration timeout) {
        long started = System.nanoTime();
        return withConnection(target, timeout, started, connection -> {
            // Databases that refuse connections (template0, or any a DBA disabled) cannot be dumped either.
            String sql = "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"
                    + " AND datname <> '" + MAINTENANCE_DATABASE + "'";
            return queryNames(connection, sql, name -> true);
        });
    }

    @Override
    protected <T> T withConnection(ConnectionTarget target, Duration timeout, long started, SqlWork<T> work) {
        requireKind(target);
        requireHost(target);
        long timeoutMillis = Math.max(1, timeout.toMillis());
        Properties properties = credentials(target);
        // connectTimeout and socketTimeout take whole seconds and bound each step; loginTimeout takes a
        // fraction and bounds connect plus login together, which is what "the call takes at most timeout" needs.
        String wholeSeconds = Long.toString(Math.max(1, (timeoutMillis + 999) / 1000));
        properties.setProperty("connectTimeout", wholeSeconds);
        properties.setProperty("socketTimeout", wholeSeconds);
        properties.setProperty("loginTimeout", Double.toString(timeoutMillis / 1000.0));
        properties.setProperty("ApplicationName", "custos");
        try (Connection connection = driver.connect(url(target), properties)) {
            boundQueries(connection, timeoutMillis, started);
            return work.run(connection);
        } catch (SQLException e) {
            throw classify(e, target, millisSince(started) >= timeoutMillis);
        }
    }

    private static String url(ConnectionTarget target) {
        String host = urlHost(target.host());
        String database = target.databaseName() == null ? MAINTENANCE_DATABASE : target.databaseName();
        // pgjdbc URL-decodes the path, so a name with '/', '?' or '%' must be encoded to survive.
        return "jdbc:postgresql://" + host + ":" + target.port() + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    private static ConnectorException classify(SQLException e, ConnectionTarget target, boolean deadlinePassed) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        ConnectionErrorType type;
        if (state.equals("28P01") || state.equals("28000")) {
            type = ConnectionErrorType.AuthenticationError;
        } else if (state.equals("08004")) {
            // pgjdbc's own state when the server asks for a password and none was given.
            type = ConnectionErrorType.AuthenticationError;
        } else if (state.equals("3D000")) {
            type = ConnectionErrorType.DatabaseNotFound;
        } else if (hasCause(e, SocketTimeoutException.class) || e instanceof SQLTimeoutException) {
            type = ConnectionErrorType.Timeout;
        } else if (hasCause(e, ConnectException.class) || hasCause(e, UnknownHostException.class)
                || hasCause(e, NoRouteToHostException.class)) {
            type = ConnectionErrorType.ConnectionError;
        } else if (deadlinePassed && state.startsWith("08")) {
            // loginTimeout gives up with a bare "Connection attempt timed out." and no cause to recognise.
            type = ConnectionErrorType.Timeout;
        } else {
            type = ConnectionErrorType.ConnectionError;
        }
        return new ConnectorException(type, message(e, target), e);
    }

    private static String message(SQLException e, ConnectionTarget target) {
        if (hasCause(e, UnknownHostException.class)) {
            // The driver's own wording here is vague ("The connection attempt failed.") or repeats the host.
            return "unknown host: " + target.host();
        }
        String text = e.getMessage();
        if (e instanceof PSQLException psql) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            if (server != null && server.getMessage() != null) {
                text = server.getMessage();
            }
        }
        if (text == null || text.isBlank()) {
            text = e.getClass().getSimpleName();
        }
        text = text.replaceAll("\\s+", " ").trim();
        return target.redact(text);
    }

    @Override
    protected String version(String serverVersion) {
        // Debian reports "15.19 (Debian 15.19-0+deb12u1)"; the packaging suffix is noise for users.
        int space = serverVersion.indexOf(' ');
        return space < 0 ? serverVersion : serverVersion.substring(0, space);
    }

}
