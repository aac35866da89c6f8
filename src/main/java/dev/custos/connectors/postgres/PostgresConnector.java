package dev.custos.connectors.postgres;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.Command;
import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTools;
import dev.custos.connectors.JdbcConnector;
import dev.custos.connectors.ProcessCommandRunner;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * PostgreSQL through pgjdbc, called directly so that no global DriverManager state is touched. Dumps run pg_dump
 * in its custom format, whose single snapshot makes the dump consistent.
 */
@Component
public class PostgresConnector extends JdbcConnector {

    private static final String MAINTENANCE_DATABASE = "postgres";

    private final Driver driver = new Driver();
    private final CommandRunner runner;
    private final InstalledPgDumps pgDumps;

    /** Runs tools as real processes; for callers that only test connections and list databases. */
    public PostgresConnector() {
        this(new ProcessCommandRunner());
    }

    @Autowired
    public PostgresConnector(CommandRunner runner) {
        this.runner = runner;
        this.pgDumps = new InstalledPgDumps(runner);
    }

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
    public DumpResult dump(ConnectionTarget target, OutputStream out, DumpLog log, Cancellation cancellation,
            boolean fingerprint) {
        requireKind(target);
        if (target.databaseName() == null || target.databaseName().isBlank()) {
            throw new DumpException("a database name is required to dump PostgreSQL");
        }
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
        PgVersion server = serverVersion(target);
        log.info("connected to PostgreSQL " + server.text());
        PgDump pgDump = pgDumps.forServer(server);
        Command command = Command.of(pgDumpArguments(pgDump, target))
                .withEnvironment(pgDumpEnvironment(target))
                .withTimeout(DumpTools.DUMP_TIME_LIMIT);
        List<String> warnings = DumpTools.run(runner, command, "pg_dump " + pgDump.version().text(), out, target, log,
                cancellation);
        return new DumpResult("dump", server.text(), "pg_dump", pgDump.version().text(), warnings);
    }

    private PgVersion serverVersion(ConnectionTarget target) {
        try {
            return withConnection(target, DumpTools.CONNECT_TIMEOUT, System.nanoTime(), connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet row = statement.executeQuery(
                                "SELECT current_setting('server_version_num')::int, current_setting('server_version')")) {
                    row.next();
                    return PgVersion.ofServer(row.getInt(1), row.getString(2));
                }
            });
        } catch (ConnectorException e) {
            throw new DumpException("cannot connect to PostgreSQL at " + target.host() + ":" + target.port() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Connection details as arguments in their {@code --name=value} form, so that no value (a user named "-x") can be
     * read as an option. The password is not among them: every local user can read a process's arguments.
     */
    static List<String> pgDumpArguments(PgDump pgDump, ConnectionTarget target) {
        List<String> argv = new ArrayList<>(List.of(
                pgDump.path().toString(),
                // Our pipeline compresses (and faster than pg_dump's zlib); custom format keeps pg_restore's choices.
                "--format=custom", "--compress=0",
                // Never wait for a password on a terminal nobody watches.
                "--no-password",
                "--host=" + target.host(),
                "--port=" + target.port()));
        if (target.username() != null && !target.username().isBlank()) {
            argv.add("--username=" + target.username());
        }
        // A bare name containing '=' would be parsed as a connection string; as one, it is always just a name.
        argv.add("--dbname=dbname=" + conninfoValue(target.databaseName()));
        return argv;
    }

    private static Map<String, String> pgDumpEnvironment(ConnectionTarget target) {
        Map<String, String> environment = new HashMap<>();
        if (target.password() != null && !target.password().isEmpty()) {
            environment.put("PGPASSWORD", target.password());
        }
        environment.put("PGCONNECT_TIMEOUT", Long.toString(DumpTools.CONNECT_TIMEOUT.toSeconds()));
        environment.put("PGAPPNAME", "custos backup");
        return environment;
    }

    /** A libpq connection-string value: quoted, with backslash and quote escaped. */
    static String conninfoValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
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


    // Placeholders until this kind's restore lands; nothing calls them yet.
    @Override
    public dev.custos.connectors.RestoreResult restore(ConnectionTarget target, java.io.InputStream in,
            dev.custos.connectors.RestoreOptions options, DumpLog log, Cancellation cancellation) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public dev.custos.connectors.TargetState inspect(ConnectionTarget target, java.time.Duration timeout) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void createDatabase(ConnectionTarget target, java.time.Duration timeout) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void dropDatabase(ConnectionTarget target, java.time.Duration timeout) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public dev.custos.connectors.Fingerprint fingerprint(ConnectionTarget target, Cancellation cancellation) {
        throw new UnsupportedOperationException("not yet");
    }
}
