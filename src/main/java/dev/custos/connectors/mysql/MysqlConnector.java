package dev.custos.connectors.mysql;

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
import dev.custos.connectors.SecretFile;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.mariadb.jdbc.Driver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * MySQL and MariaDB through MariaDB Connector/J, which speaks to both; called directly so that no global
 * DriverManager state is touched. Dumps run mariadb-dump (or mysqldump) in one transaction, which is a consistent
 * snapshot of the transactional (InnoDB) tables only.
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

    private final Driver driver = new Driver();
    private final CommandRunner runner;
    private volatile MysqlTool dumpTool;

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
        try (SecretFile options = SecretFile.create(null, "client.cnf", MysqlOptionFile.render(target))) {
            Command command = Command.of(dumpArguments(tool, options, target.databaseName()))
                    // The tool reads ~/.my.cnf after our file, and its values would win (another host, user or password).
                    // HOME is our private directory, where there is none.
                    .withEnvironment(Map.of("HOME", options.directory().toString()))
                    .withTimeout(DumpTools.DUMP_TIME_LIMIT);
            warnings.addAll(DumpTools.run(runner, command, tool.name() + " " + tool.version(), out, target, log,
                    cancellation));
        } catch (UncheckedIOException e) {
            throw new DumpException("cannot write the option file for " + tool.name() + ": " + e.getMessage(), e);
        }
        return new DumpResult("sql", server.version(), tool.name(), tool.version(), warnings);
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
