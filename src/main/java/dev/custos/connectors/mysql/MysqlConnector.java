package dev.custos.connectors.mysql;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.Command;
import dev.custos.connectors.CommandResult;
import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.CommandTimeoutException;
import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.DumpTools;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.HoldBackInputStream;
import dev.custos.connectors.JdbcConnector;
import dev.custos.connectors.ProcessCommandRunner;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import dev.custos.connectors.SecretFile;
import dev.custos.connectors.TargetState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mariadb.jdbc.Driver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * MySQL and MariaDB through MariaDB Connector/J, which speaks to both; called directly so that no global
 * DriverManager state is touched. Dumps run mariadb-dump (or mysqldump) in one transaction, which is a consistent
 * snapshot of the transactional (InnoDB) tables only. Restores feed the dump to the mariadb (or mysql) client; they
 * cannot be transactional, see {@link #restore}.
 */
@Component
public class MysqlConnector extends JdbcConnector {

    private static final Set<String> SYSTEM_DATABASES =
            Set.of("information_schema", "mysql", "performance_schema", "sys");

    /**
     * Tables whose engine does not do transactions: --single-transaction cannot freeze them, so rows written during
     * the dump may or may not be in it. ENGINES says which engines do, so new ones need no list here.
     */
    private static final String NON_TRANSACTIONAL_TABLES = "SELECT t.TABLE_NAME, t.ENGINE"
            + " FROM information_schema.TABLES t LEFT JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE"
            + " WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE <> 'VIEW' AND t.ENGINE IS NOT NULL"
            + " AND (e.TRANSACTIONS IS NULL OR e.TRANSACTIONS <> 'YES')"
            + " ORDER BY t.TABLE_NAME";

    /** Appended to a failure once the client ran: what a user must know about the target. */
    private static final String PARTLY_RESTORED = "; the target may hold part of the dump (MySQL and MariaDB commit"
            + " each statement of a restore on its own): restore the pre-restore snapshot to undo it";
    /** Warnings kept from a successful load; a chatty client cannot flood the result. */
    private static final int MAX_WARNINGS = 100;
    /** How long a dump that failed waits for its fingerprint's reader to let go of its connection. */
    private static final Duration FINGERPRINT_ABANDON_WAIT = Duration.ofSeconds(30);

    private final Driver driver = new Driver();
    private final CommandRunner runner;
    private volatile MysqlTool dumpTool;
    private volatile MysqlTool clientTool;

    /** Runs tools as real processes; for callers that only test connections and list databases. */
    public MysqlConnector() {
        this(new ProcessCommandRunner());
    }

    @Autowired
    public MysqlConnector(CommandRunner runner) {
        this.runner = runner;
    }

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

    /**
     * {@inheritDoc}
     *
     * <p>With {@code fingerprint}, the {@link Fingerprint} comes from a consistent snapshot of its own, opened just
     * before mariadb-dump starts and read on another thread while the dump runs: MySQL and MariaDB cannot hand a
     * snapshot to another session, so mariadb-dump's own cannot be shared. Where nothing writes to the database
     * meanwhile the two are the same. Under concurrent writes they can differ by what was committed between the two
     * snapshots' opening (milliseconds apart), and in AUTO_INCREMENT values, which no snapshot freezes, by what was
     * inserted before mariadb-dump read each table's definition; a test restore then reports those tables.
     */
    @Override
    public DumpResult dump(ConnectionTarget target, OutputStream out, DumpLog log, Cancellation cancellation,
            boolean fingerprint) {
        requireKind(target);
        if (target.databaseName() == null || target.databaseName().isBlank()) {
            throw new DumpException("a database name is required to dump MySQL or MariaDB");
        }
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
        ServerFacts server = serverFacts(target);
        log.info("connected to " + (server.version().contains("MariaDB") ? "MariaDB " : "MySQL ") + server.version());
        List<String> warnings = new ArrayList<>();
        for (String table : server.nonTransactionalTables()) {
            warnings.add(table);
            log.warn(table);
        }
        MysqlTool tool = dumpTool();
        FingerprintTask fingerprintTask = fingerprint ? fingerprintBeforeDump(target, log, cancellation) : null;
        boolean dumped = false;
        try {
            try (SecretFile options = SecretFile.create(null, "client.cnf", MysqlOptionFile.render(target))) {
                Command command = Command.of(dumpArguments(tool, options, target.databaseName()))
                        // The tool reads ~/.my.cnf after our file, and its values would win (another host, user or
                        // password). HOME is our private directory, where there is none.
                        .withEnvironment(Map.of("HOME", options.directory().toString()))
                        .withTimeout(DumpTools.DUMP_TIME_LIMIT);
                warnings.addAll(DumpTools.run(runner, command, tool.name() + " " + tool.version(), out, target, log,
                        cancellation));
            } catch (UncheckedIOException e) {
                throw new DumpException("cannot write the option file for " + tool.name() + ": " + e.getMessage(), e);
            }
            dumped = true;
        } finally {
            if (!dumped && fingerprintTask != null) {
                fingerprintTask.abandon();
            }
        }
        DumpResult result = new DumpResult("sql", server.version(), tool.name(), tool.version(), warnings);
        return fingerprintTask == null ? result : result.withFingerprint(fingerprintTask.await(log));
    }

    /**
     * Opens the fingerprint's snapshot now, before the dump starts, and reads it on a thread of its own while the
     * dump runs, so that a backup with a fingerprint takes little longer than one without.
     */
    private FingerprintTask fingerprintBeforeDump(ConnectionTarget target, DumpLog log, Cancellation cancellation) {
        Connection connection;
        try {
            connection = open(target, DumpTools.CONNECT_TIMEOUT, System.nanoTime());
        } catch (ConnectorException e) {
            throw new DumpException("cannot connect to MySQL at " + target.host() + ":" + target.port() + ": "
                    + e.getMessage(), e);
        }
        Cancellation stop = new Cancellation();
        Runnable forward = cancellation.onCancel(stop::cancel);
        stop.onCancel(() -> abort(connection));
        MysqlFingerprint snapshot;
        try {
            unboundQueries(connection);
            snapshot = MysqlFingerprint.begin(connection, target.databaseName());
        } catch (SQLException e) {
            forward.run();
            closeQuietly(connection);
            throw new DumpException("cannot open the fingerprint's snapshot: " + message(e, target), e);
        }
        log.info("fingerprint snapshot opened");
        CompletableFuture<Fingerprint> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                result.complete(snapshot.read(stop));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                forward.run();
                closeQuietly(connection);
            }
        }, "custos mysql fingerprint");
        reader.setDaemon(true);
        reader.start();
        return new FingerprintTask(result, stop, target);
    }

    /** A fingerprint being read beside a dump; {@code stop} aborts its connection. */
    private record FingerprintTask(CompletableFuture<Fingerprint> result, Cancellation stop, ConnectionTarget target) {

        /** The dump failed or was cancelled: stops the read and waits (bounded) until its connection is closed. */
        void abandon() {
            stop.cancel();
            try {
                result.get(FINGERPRINT_ABANDON_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // Stopped as asked; the dump's own failure is what the caller reports.
            }
        }

        /** The dump is done: waits for the fingerprint, which may still be reading. */
        Fingerprint await(DumpLog log) {
            try {
                Fingerprint fingerprint = result.get();
                log.info("fingerprint taken: " + fingerprint.tables().size() + " tables, "
                        + fingerprint.sequences().size() + " sequences, " + fingerprint.objects().size() + " other objects");
                return fingerprint;
            } catch (InterruptedException e) {
                stop.cancel();
                Thread.currentThread().interrupt();
                throw new Cancellation.CancelledException();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (stop.isCancelled() || cause instanceof Cancellation.CancelledException) {
                    throw new Cancellation.CancelledException();
                }
                String why = cause instanceof SQLException sql ? message(sql, target) : String.valueOf(cause);
                throw new DumpException("the dump is complete but its fingerprint failed: " + why, cause);
            }
        }
    }

    /** What a dump needs to know before it starts; {@code nonTransactionalTables} are already warnings. */
    private record ServerFacts(String version, List<String> nonTransactionalTables) {
    }

    private ServerFacts serverFacts(ConnectionTarget target) {
        try {
            return withConnection(target, DumpTools.CONNECT_TIMEOUT, System.nanoTime(), connection -> {
                String version = queryNames(connection, versionQuery(), name -> true).get(0);
                List<String> tables = new ArrayList<>();
                try (PreparedStatement statement = connection.prepareStatement(NON_TRANSACTIONAL_TABLES)) {
                    statement.setString(1, target.databaseName());
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            tables.add("table `" + rows.getString(1) + "` uses " + rows.getString(2)
                                    + ": not snapshot-consistent");
                        }
                    }
                }
                return new ServerFacts(version, tables);
            });
        } catch (ConnectorException e) {
            throw new DumpException("cannot connect to MySQL at " + target.host() + ":" + target.port() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The option file must come first: the client library reads --defaults-extra-file only there. The database is
     * named alone, without --databases, so the dump has no CREATE DATABASE/USE and restores under any name; "--" stops
     * a name such as "-x" from being read as an option.
     */
    static List<String> dumpArguments(MysqlTool tool, SecretFile options, String databaseName) {
        return List.of(
                tool.path().toString(),
                "--defaults-extra-file=" + options.path(),
                // One REPEATABLE READ transaction: a consistent snapshot of InnoDB tables without locking them.
                "--single-transaction",
                "--routines", "--triggers", "--events",
                // Binary columns as hex literals, so no character set conversion can touch them on restore.
                "--hex-blob",
                // Rows are streamed, not buffered whole in the tool's memory.
                "--quick",
                // The client's default (24 MiB) would fail on a larger row; 1 GiB is the protocol's limit.
                "--max-allowed-packet=1G",
                "--",
                databaseName);
    }

    private MysqlTool dumpTool() {
        MysqlTool tool = dumpTool;
        if (tool == null) {
            // Not cached when missing, so that installing the client later needs no restart.
            tool = MysqlTool.find(runner, MysqlTool.DUMP).orElseThrow(() ->
                    new DumpException("neither mariadb-dump nor mysqldump is installed; install mariadb-client"));
            dumpTool = tool;
        }
        return tool;
    }

    private MysqlTool clientTool() {
        MysqlTool tool = clientTool;
        if (tool == null) {
            try {
                tool = MysqlTool.find(runner, MysqlTool.CLIENT).orElseThrow(() ->
                        new RestoreException("neither mariadb nor mysql is installed; install mariadb-client", false));
            } catch (DumpException e) {
                throw new RestoreException(e.getMessage(), false, e);
            }
            clientTool = tool;
        }
        return tool;
    }

    @Override
    protected <T> T withConnection(ConnectionTarget target, Duration timeout, long started, SqlWork<T> work) {
        try (Connection connection = open(target, timeout, started)) {
            return work.run(connection);
        } catch (SQLException e) {
            throw classify(e, target);
        }
    }

    /**
     * A connection on {@code target.databaseName()} (none when null), opened within {@code timeout} counted from
     * {@code started}, its queries bounded by what is left of it. The caller closes it.
     *
     * @throws ConnectorException classified
     */
    private Connection open(ConnectionTarget target, Duration timeout, long started) {
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
        Connection connection = null;
        try {
            connection = driver.connect(url(target), properties);
            boundQueries(connection, timeoutMillis, started);
            if (target.databaseName() != null) {
                // Chosen after login, not in the URL: the URL's path and query are parsed as driver options, so a
                // database named "x?allowLocalInfile=true" would set one. An unknown database fails here with 1049.
                connection.setCatalog(target.databaseName());
            }
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw classify(e, target);
        }
    }

    /** For work that lasts as long as the data does (a fingerprint, strict delete): only a cancel stops it. */
    private static void unboundQueries(Connection connection) throws SQLException {
        connection.setNetworkTimeout(Runnable::run, (int) DumpTools.DUMP_TIME_LIMIT.toMillis());
    }

    /** Stops whatever the connection is running, from another thread: the driver kills the query on the server. */
    private static void abort(Connection connection) {
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            // Closed already.
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Nothing to do about a connection that cannot even close.
            }
        }
    }

    /** The server itself, no database chosen: for work on a database that may not exist. */
    private static ConnectionTarget server(ConnectionTarget target) {
        return new ConnectionTarget(target.kind(), target.host(), target.port(), null, target.username(),
                target.password());
    }

    /** An identifier in backticks with its backticks doubled, so that any name a user gives stays one name. */
    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
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

    /**
     * Loads a SQL dump of mariadb-dump or mysqldump with the mariadb client (mysql where only MySQL's is installed):
     * {@code --defaults-extra-file=<option file> --default-character-set=utf8mb4 --binary-mode
     * --max-allowed-packet=1G -- <database>}, the dump on its stdin; the login in the same 0600 option file as a
     * dump's, never in argv.
     *
     * <p><b>Not transactional.</b> MySQL and MariaDB commit every DDL statement on its own, and a dump is DDL between
     * its rows (DROP TABLE, CREATE TABLE, …), so a restore cannot be one transaction: one that fails half-way leaves
     * the target holding part of the dump. The caller must therefore verify a stored backup's size and SHA-256
     * before it calls this, and the pre-restore snapshot is the way back. {@code in} still goes through a
     * {@link HoldBackInputStream}: a stream that throws at its end cannot let the client run the dump's last
     * statements, and the client is killed.
     *
     * <p>{@code options.replace()} changes nothing: a mariadb-dump drops each of its objects before creating it
     * anyway. {@code options.strictDelete()} first drops every table, view, sequence, procedure, function and event
     * of the target. Unless {@code options.keepDefiners()}, every DEFINER clause is rewritten to
     * {@code DEFINER=CURRENT_USER} ({@link DefinerFilter}), so that views, routines, triggers and events run as the
     * restoring account wherever the dump's accounts do not exist.
     *
     * @throws RestoreException the target is missing, the client is not installed or failed (its stderr tail), or
     *                          {@code in} failed; {@code targetTouched} once the client started or strict delete
     *                          dropped something
     */
    @Override
    public RestoreResult restore(ConnectionTarget target, InputStream in, RestoreOptions options, DumpLog log,
            Cancellation cancellation) {
        requireKind(target);
        String database = requireDatabase(target, "restore into");
        if (options.format() != DumpFormat.MYSQL_SQL) {
            throw new RestoreException("MySQL and MariaDB restore SQL dumps of mariadb-dump or mysqldump, not "
                    + options.format(), false);
        }
        throwIfCancelled(cancellation);
        String version = restoreServerVersion(target);
        log.info("connected to " + flavour(version) + version);
        List<String> warnings = new ArrayList<>();
        String source = options.sourceServerVersion();
        if (source != null && source.contains("MariaDB") != version.contains("MariaDB")) {
            String warning = "the dump comes from " + flavour(source) + source + " and goes into " + flavour(version)
                    + version + ": statements only one of them knows will fail";
            warnings.add(warning);
            log.warn(warning);
        }
        MysqlTool client = clientTool();
        boolean touched = options.strictDelete() && dropEveryObject(target, log, cancellation);
        throwIfCancelled(cancellation);

        DefinerFilter definers = options.keepDefiners() ? null : new DefinerFilter(in);
        log.info(definers == null ? "keeping the dump's DEFINER clauses"
                : "rewriting DEFINER clauses to CURRENT_USER");
        FedInput input = new FedInput(new HoldBackInputStream(definers == null ? in : definers));
        List<String> lines = new ArrayList<>();
        String label = client.name() + " " + client.version();
        CommandResult result;
        try (SecretFile optionFile = SecretFile.create(null, "client.cnf", MysqlOptionFile.render(target))) {
            Command command = Command.of(restoreArguments(client, optionFile, database))
                    // As for a dump: no ~/.my.cnf may override the option file.
                    .withEnvironment(Map.of("HOME", optionFile.directory().toString()))
                    .withStdin(input)
                    .withTimeout(DumpTools.DUMP_TIME_LIMIT)
                    .withStderrLines(line -> {
                        synchronized (lines) {
                            if (lines.size() < MAX_WARNINGS) {
                                lines.add(target.redact(line));
                            }
                        }
                    });
            log.info(label + " started");
            try {
                // The client prints only what a dump's SELECTs return (MariaDB's SETVAL of a sequence): nothing to keep.
                result = runner.run(command, OutputStream.nullOutputStream(), cancellation);
            } catch (CommandTimeoutException e) {
                throw new RestoreException(target.redact(e.getMessage() + tail(e.stderrTail())) + PARTLY_RESTORED,
                        true, e);
            } catch (IOException e) {
                // A cancel may stop the dump's source before it stops the client: it is still a cancel.
                throwIfCancelled(cancellation);
                if (input.failure() != null) {
                    throw new RestoreException("reading the dump failed after " + input.bytes() + " bytes: "
                            + target.redact(e.getMessage()) + "; " + client.name()
                            + " was stopped before the end of the dump" + PARTLY_RESTORED, true, e);
                }
                // Not one byte fed (the client could not even start): only strict delete can have touched the target.
                boolean fed = input.bytes() > 0;
                throw new RestoreException(target.redact(client.name() + " failed: " + e.getMessage())
                        + (fed ? PARTLY_RESTORED : ""), fed || touched, e);
            }
        } catch (UncheckedIOException e) {
            throw new RestoreException("cannot write the option file for " + client.name() + ": " + e.getMessage(),
                    touched, e);
        }
        if (!result.succeeded()) {
            throwIfCancelled(cancellation);
            throw new RestoreException(target.redact(client.name() + " " + failure(withoutEchoedQuery(result)))
                    + PARTLY_RESTORED, true);
        }
        if (!input.ended()) {
            throw new RestoreException(client.name() + " exited after reading " + input.bytes()
                    + " bytes, before the end of the dump" + PARTLY_RESTORED, true);
        }
        synchronized (lines) {
            lines.forEach(log::warn);
            warnings.addAll(lines);
        }
        if (definers != null) {
            log.info("rewrote " + definers.rewritten() + " DEFINER clauses to CURRENT_USER");
        }
        log.info(label + " finished: " + input.bytes() + " bytes in " + seconds(result.elapsed()));
        return new RestoreResult(version, client.name(), client.version(), warnings);
    }

    /**
     * The option file first, as for a dump; "--" before the database so that a name such as "-x" is no option.
     */
    static List<String> restoreArguments(MysqlTool tool, SecretFile options, String databaseName) {
        return List.of(
                tool.path().toString(),
                "--defaults-extra-file=" + options.path(),
                // A dump is utf8mb4 text whatever the server's or the client's default character set is.
                "--default-character-set=utf8mb4",
                // Rows hold any bytes: without it the client stops at a NUL and turns \r\n into \n.
                "--binary-mode",
                // The client's default (16 MiB) would refuse a larger row of the dump; 1 GiB is the protocol's limit.
                "--max-allowed-packet=1G",
                "--",
                databaseName);
    }

    private String restoreServerVersion(ConnectionTarget target) {
        try {
            return withConnection(target, DumpTools.CONNECT_TIMEOUT, System.nanoTime(),
                    connection -> queryNames(connection, versionQuery(), name -> true).get(0));
        } catch (ConnectorException e) {
            throw new RestoreException("cannot connect to MySQL at " + target.host() + ":" + target.port() + ": "
                    + e.getMessage(), false, e);
        }
    }

    /**
     * Strict delete: drops every table, view, sequence, procedure, function and event of the target, foreign keys
     * unchecked, so that after the load it holds exactly what the dump holds. Triggers go with their tables.
     * Returns whether anything was dropped.
     */
    private boolean dropEveryObject(ConnectionTarget target, DumpLog log, Cancellation cancellation) {
        String database = target.databaseName();
        int[] dropped = {0};
        try {
            withConnection(target, DumpTools.CONNECT_TIMEOUT, System.nanoTime(), connection -> {
                unboundQueries(connection);
                Runnable unregister = cancellation.onCancel(() -> abort(connection));
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET SESSION FOREIGN_KEY_CHECKS = 0");
                    for (String drop : dropStatements(connection, database)) {
                        throwIfCancelled(cancellation);
                        statement.execute(drop);
                        dropped[0]++;
                    }
                } finally {
                    unregister.run();
                }
                return null;
            });
        } catch (ConnectorException e) {
            throwIfCancelled(cancellation);
            throw new RestoreException("strict delete could not empty " + quote(database) + ": " + e.getMessage(),
                    dropped[0] > 0, e);
        }
        log.info("strict delete: dropped " + dropped[0] + " objects of the target");
        return dropped[0] > 0;
    }

    /** Views first (they name tables), then tables and sequences, routines and events. */
    private static List<String> dropStatements(Connection connection, String database) throws SQLException {
        String schema = quote(database) + ".";
        List<String> views = new ArrayList<>();
        List<String> drops = new ArrayList<>();
        for (String[] row : rows(connection, "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME", database)) {
            switch (row[1]) {
                case "VIEW" -> views.add("DROP VIEW IF EXISTS " + schema + quote(row[0]));
                case "SEQUENCE" -> drops.add("DROP SEQUENCE IF EXISTS " + schema + quote(row[0]));
                default -> drops.add("DROP TABLE IF EXISTS " + schema + quote(row[0]));
            }
        }
        for (String[] row : rows(connection, "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES"
                + " WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') ORDER BY ROUTINE_NAME",
                database)) {
            drops.add("DROP " + row[1] + " IF EXISTS " + schema + quote(row[0]));
        }
        for (String[] row : rows(connection, "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?"
                + " ORDER BY EVENT_NAME", database)) {
            drops.add("DROP EVENT IF EXISTS " + schema + quote(row[0]));
        }
        views.addAll(drops);
        return views;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Other sessions are those whose current database is the target (information_schema.PROCESSLIST), Custos's
     * own excluded; an account without the PROCESS privilege sees only its own, so others may be missed.
     */
    @Override
    public TargetState inspect(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        String database = requireDatabase(target, "inspect");
        return withConnection(server(target), timeout, System.nanoTime(), connection -> {
            String version = queryNames(connection, versionQuery(), name -> true).get(0);
            // Compared here too: information_schema compares names without regard to case, the server may not.
            boolean exists = rows(connection, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                    database).stream().anyMatch(row -> database.equals(row[0]));
            if (!exists) {
                return new TargetState(false, 0, List.of(), version);
            }
            int objects = count(connection, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", database)
                    + count(connection, "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?", database)
                    + count(connection, "SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?", database);
            List<String> sessions = otherSessions(connection, database).stream().map(Session::describe).toList();
            return new TargetState(true, objects, sessions, version);
        });
    }

    /** Another session on a database, as a user may read of it: no query text, which can hold secrets. */
    private record Session(long id, String user, String host) {
        String describe() {
            return "id " + id + " user " + user + " host " + host;
        }
    }

    private static List<Session> otherSessions(Connection connection, String database) throws SQLException {
        List<Session> sessions = new ArrayList<>();
        for (String[] row : rows(connection, "SELECT ID, USER, HOST, DB FROM information_schema.PROCESSLIST"
                + " WHERE DB = ? AND ID <> CONNECTION_ID() ORDER BY ID", database)) {
            if (database.equals(row[3])) {
                sessions.add(new Session(Long.parseLong(row[0]), row[1], row[2]));
            }
        }
        return sessions;
    }

    @Override
    public void createDatabase(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        String database = requireDatabase(target, "create");
        try {
            withConnection(server(target), timeout, System.nanoTime(), connection -> {
                try (Statement statement = connection.createStatement()) {
                    // No IF NOT EXISTS: restoring into a database someone else just created must not pass unnoticed.
                    statement.execute("CREATE DATABASE " + quote(database) + " CHARACTER SET utf8mb4");
                }
                return null;
            });
        } catch (ConnectorException e) {
            if (e.getCause() instanceof SQLException sql && sql.getErrorCode() == 1007) {
                throw new RestoreException("database " + quote(database) + " exists already", false, e);
            }
            throw new RestoreException("cannot create database " + quote(database) + ": " + e.getMessage(), false, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sessions on it are killed first (KILL CONNECTION); one the account may not kill (it lacks CONNECTION ADMIN
     * or SUPER) stays, and the drop then waits for its locks no longer than {@code timeout}.
     */
    @Override
    public void dropDatabase(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        String database = requireDatabase(target, "drop");
        boolean[] dropping = {false};
        try {
            withConnection(server(target), timeout, System.nanoTime(), connection -> {
                List<String> survivors = new ArrayList<>();
                try (Statement statement = connection.createStatement()) {
                    for (Session session : otherSessions(connection, database)) {
                        try {
                            statement.execute("KILL CONNECTION " + session.id());
                        } catch (SQLException e) {
                            // 1094: it ended by itself meanwhile.
                            if (e.getErrorCode() != 1094) {
                                survivors.add(session.describe());
                            }
                        }
                    }
                    statement.execute("SET SESSION lock_wait_timeout = " + Math.max(1, timeout.toSeconds()));
                    dropping[0] = true;
                    statement.execute("DROP DATABASE IF EXISTS " + quote(database));
                } catch (SQLException e) {
                    if (!survivors.isEmpty()) {
                        throw new SQLException(e.getMessage() + " (sessions that could not be ended: "
                                + String.join(", ", survivors) + ")", e.getSQLState(), e.getErrorCode(), e);
                    }
                    throw e;
                }
                return null;
            });
        } catch (ConnectorException e) {
            throw new RestoreException("cannot drop database " + quote(database) + ": " + e.getMessage(), dropping[0], e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Read in one {@code START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY} at REPEATABLE READ, which freezes
     * InnoDB rows; see {@link MysqlFingerprint} for what is read and how rows are hashed.
     *
     * @throws ConnectorException the server cannot be reached (classified) or a query failed (the server's message)
     */
    @Override
    public Fingerprint fingerprint(ConnectionTarget target, Cancellation cancellation) {
        requireKind(target);
        String database = requireDatabase(target, "fingerprint");
        throwIfCancelled(cancellation);
        Connection connection = open(target, DumpTools.CONNECT_TIMEOUT, System.nanoTime());
        Runnable unregister = cancellation.onCancel(() -> abort(connection));
        try (connection) {
            unboundQueries(connection);
            return MysqlFingerprint.begin(connection, database).read(cancellation);
        } catch (SQLException e) {
            throwIfCancelled(cancellation);
            throw new ConnectorException(ConnectionErrorType.ConnectionError, "cannot fingerprint " + quote(database)
                    + ": " + message(e, target), e);
        } finally {
            unregister.run();
        }
    }

    private static String requireDatabase(ConnectionTarget target, String what) {
        if (target.databaseName() == null || target.databaseName().isBlank()) {
            throw new IllegalArgumentException("a database name is required to " + what + " MySQL or MariaDB");
        }
        return target.databaseName();
    }

    private static void throwIfCancelled(Cancellation cancellation) {
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
    }

    private static String flavour(String version) {
        return version.contains("MariaDB") ? "MariaDB " : "MySQL ";
    }

    /** Every row of a query whose one parameter is {@code value}, each column as text. */
    private static List<String[]> rows(Connection connection, String sql, String value) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, value);
            try (ResultSet result = statement.executeQuery()) {
                int columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    String[] row = new String[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = result.getString(i + 1);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static int count(Connection connection, String sql, String value) throws SQLException {
        return Integer.parseInt(rows(connection, sql, value).get(0)[0]);
    }

    /**
     * The client's stderr from its ERROR line on. MariaDB's client prints the failed statement before it, framed by
     * dashes: an INSERT of a dump is megabytes of row data, which belong neither in a message nor in a catalog.
     */
    private static CommandResult withoutEchoedQuery(CommandResult result) {
        String tail = result.stderrTail();
        int error = tail.startsWith("ERROR ") ? 0 : tail.indexOf("\nERROR ") + 1;
        return error <= 0 ? result
                : new CommandResult(result.exitCode(), tail.substring(error), result.elapsed(), result.stdoutBytes());
    }

    private static String failure(CommandResult result) {
        int code = result.exitCode();
        // 128 + n is how a shell reports death by signal n; Java reports it the same way.
        String how = code > 128 && code < 160 ? "was killed by signal " + (code - 128) : "exited with code " + code;
        return how + tail(result.stderrTail());
    }

    private static String tail(String stderrTail) {
        return stderrTail == null || stderrTail.isBlank() ? " and wrote nothing to stderr" : ": " + stderrTail.strip();
    }

    private static String seconds(Duration elapsed) {
        return String.format(Locale.ROOT, "%.1f s", elapsed.toMillis() / 1000.0);
    }

    /**
     * What the client reads: counts it, knows whether it reached the end, and turns a RuntimeException of the source
     * into an IOException. The runner stops the client on an IOException only; anything else would end the feed
     * quietly, and the client would take a truncated dump for a whole one.
     */
    private static final class FedInput extends InputStream {
        private final InputStream source;
        private volatile long bytes;
        private volatile boolean ended;
        private volatile IOException failure;

        FedInput(InputStream source) {
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = source.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            } catch (RuntimeException e) {
                failure = new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
                throw failure;
            }
            if (n < 0) {
                ended = true;
            } else {
                bytes += n;
            }
            return n;
        }

        long bytes() {
            return bytes;
        }

        boolean ended() {
            return ended;
        }

        IOException failure() {
            return failure;
        }
    }
}
