package dev.custos.connectors.mysql;

import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.JdbcConnector;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.mariadb.jdbc.Driver;
import org.springframework.stereotype.Component;

/**
 * MySQL and MariaDB through MariaDB Connector/J, which speaks to both; called directly so that no global
 * DriverManager state is touched.
 */
@Component
public class MysqlConnector extends JdbcConnector {

    private static final Set<String> SYSTEM_DATABASES =
            Set.of("information_schema", "mysql", "performance_schema", "sys");

    private final Driver driver = new Driver();

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    protected String versionQuery() {
        return "SELECT VERSION()";
    }

    @Override
    public List<String> listDatabases(ConnectionTarget target, Duration timeout) {
        long started = System.nanoTime();
        return withConnection(target, timeout, started, connection -> {
            return queryNames(connection, "SHOW DATABASES", name -> !SYSTEM_DATABASES.contains(name));
        });
    }

    @Override
    protected <T> T withConnection(ConnectionTarget target, Duration timeout, long started, SqlWork<T> work) {
        requireKind(target);
        requireHost(target);
        long timeoutMillis = Math.max(1, timeout.toMillis());
        Properties properties = credentials(target);
        // The driver applies connectTimeout to the TCP connect and socketTimeout to every read of the handshake,
        // so a server that accepts and stays silent is cut off after about timeout.
        properties.setProperty("connectTimeout", Long.toString(timeoutMillis));
        properties.setProperty("socketTimeout", Long.toString(timeoutMillis));
        // MySQL 8's default caching_sha2_password needs the server's RSA key to log in without TLS.
        properties.setProperty("allowPublicKeyRetrieval", "true");
        try (Connection connection = driver.connect(url(target), properties)) {
            boundQueries(connection, timeoutMillis, started);
            if (target.databaseName() != null) {
                // Chosen after login, not in the URL: the URL's path and query are parsed as driver options, so a
                // database named "x?allowLocalInfile=true" would set one. An unknown database fails here with 1049.
                connection.setCatalog(target.databaseName());
            }
            return work.run(connection);
        } catch (SQLException e) {
            throw classify(e, target);
        }
    }

    private static String url(ConnectionTarget target) {
        String host = urlHost(target.host());
        return "jdbc:mariadb://" + host + ":" + target.port() + "/";
    }

    private static ConnectorException classify(SQLException e, ConnectionTarget target) {
        ConnectionErrorType type = switch (e.getErrorCode()) {
            // 1045 bad credentials, 1044 no rights on the database, 1698 socket-auth user, 1130 host not allowed
            case 1044, 1045, 1698, 1130 -> ConnectionErrorType.AuthenticationError;
            case 1049 -> ConnectionErrorType.DatabaseNotFound;
            // Refused, unknown host, unreachable and broken handshakes are all "cannot reach it".
            default -> hasCause(e, SocketTimeoutException.class) || e instanceof SQLTimeoutException
                    ? ConnectionErrorType.Timeout
                    : ConnectionErrorType.ConnectionError;
        };
        return new ConnectorException(type, message(e, target), e);
    }

    private static String message(SQLException e, ConnectionTarget target) {
        if (hasCause(e, UnknownHostException.class)) {
            // The driver's own wording here is vague ("The connection attempt failed.") or repeats the host.
            return "unknown host: " + target.host();
        }
        String text = e.getMessage();
        if (text == null || text.isBlank()) {
            text = e.getClass().getSimpleName();
        }
        // "(conn=42) " is the driver's connection id: useless to a user and different on every attempt.
        text = text.replaceFirst("^\\(conn=\\d+\\)\\s*", "").replaceAll("\\s+", " ").trim();
        return target.redact(text);
    }

}
