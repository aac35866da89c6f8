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
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.JdbcConnector;
import dev.custos.connectors.ProcessCommandRunner;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import dev.custos.connectors.TargetState;
import java.io.InputStream;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * PostgreSQL through pgjdbc, called directly so that no global DriverManager state is touched. Dumps run pg_dump
 * in its custom format, whose single snapshot makes the dump consistent; restores run pg_restore (custom format) or
 * psql (plain SQL) in one transaction ({@link PgRestore}); fingerprints read one snapshot ({@link PgFingerprint}).
 */
@Component
public class PostgresConnector extends JdbcConnector {

    static final String MAINTENANCE_DATABASE = "postgres";

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
        if (fingerprint) {
            return dumpWithFingerprint(target, out, log, cancellation, server, pgDump);
        }
        Command command = Command.of(pgDumpArguments(pgDump, target))
                .withEnvironment(pgDumpEnvironment(target))
                .withTimeout(DumpTools.DUMP_TIME_LIMIT);
        List<String> warnings = DumpTools.run(runner, command, "pg_dump " + pgDump.version().text(), out, target, log,
                cancellation);
        return new DumpResult("dump", server.text(), "pg_dump", pgDump.version().text(), warnings);
    }

    /**
     * pg_dump and the fingerprint read one snapshot: this connection's REPEATABLE READ transaction exports it,
     * pg_dump imports it ({@code --snapshot}) and the fingerprint is read in that same transaction while pg_dump runs.
     * The transaction stays open until pg_dump has finished, so the snapshot exists whenever pg_dump asks for it.
     */
    private DumpResult dumpWithFingerprint(ConnectionTarget target, OutputStream out, DumpLog log,
            Cancellation cancellation, PgVersion server, PgDump pgDump) {
        Connection connection;
        String snapshot;
        try {
            connection = open(target, DumpTools.CONNECT_TIMEOUT);
        } catch (SQLException e) {
            throw new DumpException("cannot connect to PostgreSQL at " + target.host() + ":" + target.port() + ": "
                    + describe(e, target), e);
        }
        try {
            try {
                PgFingerprint.begin(connection);
                snapshot = PgFingerprint.exportSnapshot(connection);
            } catch (SQLException e) {
                throw new DumpException("cannot open the snapshot that pg_dump and the fingerprint share: "
                        + describe(e, target), e);
            }
            Cancellation stopFingerprint = new Cancellation();
            Runnable unregister = cancellation.onCancel(stopFingerprint::cancel);
            try {
                FutureTask<Fingerprint> reading =
                        new FutureTask<>(() -> PgFingerprint.read(connection, stopFingerprint));
                Thread thread = new Thread(reading, "custos fingerprint of " + target.databaseName());
                thread.setDaemon(true);
                thread.start();
                log.info("fingerprinting the database in pg_dump's snapshot " + snapshot);
                Command command = Command.of(pgDumpArguments(pgDump, target, snapshot))
                        .withEnvironment(pgDumpEnvironment(target))
                        .withTimeout(DumpTools.DUMP_TIME_LIMIT);
                List<String> warnings;
                try {
                    warnings = DumpTools.run(runner, command, "pg_dump " + pgDump.version().text(), out, target, log,
                            cancellation);
                } catch (RuntimeException e) {
                    stopFingerprint.cancel();
                    awaitQuietly(reading);
                    throw e;
                }
                Fingerprint fingerprint = awaitFingerprint(reading, stopFingerprint, target);
                log.info("fingerprint taken: " + fingerprint.tables().size() + " tables, "
                        + fingerprint.sequences().size() + " sequences, " + fingerprint.objects().size()
                        + " other objects");
                return new DumpResult("dump", server.text(), "pg_dump", pgDump.version().text(), warnings)
                        .withFingerprint(fingerprint);
            } finally {
                unregister.run();
            }
        } finally {
            closeQuietly(connection);
        }
    }

    private static Fingerprint awaitFingerprint(FutureTask<Fingerprint> reading, Cancellation stop,
            ConnectionTarget target) {
        try {
            return reading.get();
        } catch (InterruptedException e) {
            stop.cancel();
            Thread.currentThread().interrupt();
            throw new Cancellation.CancelledException();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Cancellation.CancelledException cancelled) {
                throw cancelled;
            }
            String why = cause instanceof SQLException sql ? describe(sql, target) : String.valueOf(cause.getMessage());
            throw new DumpException("pg_dump finished but the fingerprint of its snapshot failed: " + why, cause);
        }
    }

    private static void awaitQuietly(FutureTask<?> task) {
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // The dump's own failure is what the caller hears about.
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing ends the transaction either way; nothing was written in it.
        }
    }

    @Override
    public RestoreResult restore(ConnectionTarget target, InputStream in, RestoreOptions options, DumpLog log,
            Cancellation cancellation) {
        requireKind(target);
        return new PgRestore(this, runner, pgDumps).run(target, in, options, log, cancellation);
    }

    @Override
    public TargetState inspect(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        String name = requireDatabaseName(target);
        long started = System.nanoTime();
        record Server(boolean exists, List<String> sessions, String version) {
        }
        // Asked from another database: that the target exists is part of the question, and a session of ours on
        // it would be one more to explain.
        Server server = withConnection(PgDatabases.adminTarget(target), timeout, started, connection -> new Server(
                PgDatabases.exists(connection, name), PgDatabases.otherSessions(connection, name),
                version(queryNames(connection, versionQuery(), any -> true).get(0))));
        if (!server.exists()) {
            return new TargetState(false, 0, List.of(), server.version());
        }
        int objects = withConnection(target, timeout, started, connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery(PgFingerprint.USER_OBJECTS)) {
                row.next();
                return row.getInt(1);
            }
        });
        return new TargetState(true, objects, server.sessions(), server.version());
    }

    @Override
    public void createDatabase(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        String name = requireDatabaseName(target);
        adminWork(target, timeout, "cannot create the database " + name, connection -> {
            if (PgDatabases.exists(connection, name)) {
                throw new RestoreException("the database " + name + " exists already", false);
            }
            PgDatabases.create(connection, name);
        });
    }

    @Override
    public void dropDatabase(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        String name = requireDatabaseName(target);
        adminWork(target, timeout, "cannot drop the database " + name,
                connection -> PgDatabases.drop(connection, name));
    }

    @Override
    public Fingerprint fingerprint(ConnectionTarget target, Cancellation cancellation) {
        requireKind(target);
        requireDatabaseName(target);
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
        long started = System.nanoTime();
        try (Connection connection = open(target, DumpTools.CONNECT_TIMEOUT)) {
            PgFingerprint.begin(connection);
            return PgFingerprint.read(connection, cancellation);
        } catch (SQLException e) {
            if (cancellation.isCancelled()) {
                throw new Cancellation.CancelledException();
            }
            throw classify(e, target, millisSince(started) >= DumpTools.CONNECT_TIMEOUT.toMillis());
        }
    }

    @FunctionalInterface
    private interface AdminWork {
        void run(Connection connection) throws SQLException;
    }

    /**
     * Runs work on a connection to the server's maintenance database within the timeout; every failure is a
     * RestoreException saying what could not be done and the server's reason.
     */
    private void adminWork(ConnectionTarget target, Duration timeout, String failure, AdminWork work) {
        long started = System.nanoTime();
        ConnectionTarget admin = PgDatabases.adminTarget(target);
        try (Connection connection = open(admin, timeout)) {
            boundQueries(connection, Math.max(1, timeout.toMillis()), started);
            work.run(connection);
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                throw new RestoreException("the database " + target.databaseName() + " exists already", false, e);
            }
            throw new RestoreException(failure + ": " + describe(e, admin), false, e);
        }
    }

    private static String requireDatabaseName(ConnectionTarget target) {
        if (target.databaseName() == null || target.databaseName().isBlank()) {
            throw new IllegalArgumentException("a database name is required: " + target);
        }
        return target.databaseName();
    }

    /** The server's version, on a connection of any database. */
    static PgVersion serverVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT current_setting('server_version_num')::int, current_setting('server_version')")) {
            row.next();
            return PgVersion.ofServer(row.getInt(1), row.getString(2));
        }
    }

    private PgVersion serverVersion(ConnectionTarget target) {
        try {
            return withConnection(target, DumpTools.CONNECT_TIMEOUT, System.nanoTime(),
                    PostgresConnector::serverVersion);
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
        return pgDumpArguments(pgDump, target, null);
    }

    /** @param snapshot an exported snapshot for pg_dump to read instead of taking its own; null for its own */
    static List<String> pgDumpArguments(PgDump pgDump, ConnectionTarget target, String snapshot) {
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
        if (snapshot != null) {
            argv.add("--snapshot=" + snapshot);
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
        Properties properties = connectionProperties(target, timeoutMillis);
        // Whole seconds, bounding each read: with loginTimeout (which bounds connect plus login together), what
        // "the call takes at most timeout" needs.
        properties.setProperty("socketTimeout", wholeSeconds(timeoutMillis));
        try (Connection connection = driver.connect(url(target), properties)) {
            boundQueries(connection, timeoutMillis, started);
            return work.run(connection);
        } catch (SQLException e) {
            throw classify(e, target, millisSince(started) >= timeoutMillis);
        }
    }

    /**
     * A connection for work of any length (a restore's bookkeeping, a fingerprint that reads every row): the timeout
     * bounds connecting and logging in, not the queries. The caller closes it.
     */
    Connection open(ConnectionTarget target, Duration connectTimeout) throws SQLException {
        requireKind(target);
        requireHost(target);
        Properties properties = connectionProperties(target, Math.max(1, connectTimeout.toMillis()));
        // No socket timeout bounds its queries, so a peer that vanished must be noticed another way.
        properties.setProperty("tcpKeepAlive", "true");
        return driver.connect(url(target), properties);
    }

    private static Properties connectionProperties(ConnectionTarget target, long timeoutMillis) {
        Properties properties = credentials(target);
        // connectTimeout takes whole seconds and bounds the TCP connect; loginTimeout takes a fraction and bounds
        // connect plus login together.
        properties.setProperty("connectTimeout", wholeSeconds(timeoutMillis));
        properties.setProperty("loginTimeout", Double.toString(timeoutMillis / 1000.0));
        properties.setProperty("ApplicationName", "custos");
        return properties;
    }

    private static String wholeSeconds(long millis) {
        return Long.toString(Math.max(1, (millis + 999) / 1000));
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
        return new ConnectorException(type, describe(e, target), e);
    }

    /** The server's own words for a failure, on one line, the password redacted. */
    static String describe(SQLException e, ConnectionTarget target) {
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
