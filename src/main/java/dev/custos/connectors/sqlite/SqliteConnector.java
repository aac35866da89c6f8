package dev.custos.connectors.sqlite;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpResult;
import dev.custos.connectors.Fingerprint;
import dev.custos.connectors.JdbcConnector;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import dev.custos.connectors.TargetState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteJDBCLoader;

/**
 * SQLite files on the Custos host. The database name is the file's path; host, port and credentials are
 * ignored. Files are only ever opened read-only: testing a mistyped path must not leave an empty database behind.
 * A dump is a copy made with SQLite's online backup API into a private temporary file, then streamed; its fingerprint
 * is taken from that copy, so it is exactly what was dumped.
 */
@Component
public class SqliteConnector extends JdbcConnector {

    /** How long the copy waits for a writer that holds the file locked (rollback-journal mode). */
    private static final Duration BUSY_WAIT = Duration.ofSeconds(60);
    private static final int BUSY_RETRY_MILLIS = 100;
    private static final int COPY_BUFFER_BYTES = 512 * 1024;
    private static final String TOOL = "sqlite-online-backup";
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** Where SQLite keeps a database's transient state; they belong to the file and go with it. */
    private static final List<String> SIBLING_SUFFIXES = List.of("-journal", "-wal", "-shm");

    /** Where copies are made; they need room for a whole database. */
    private final Path temporaryDirectory;
    private final Clock clock = Clock.systemUTC();

    /** Copies go to the JVM's temporary directory, which {@code -Djava.io.tmpdir} moves. */
    public SqliteConnector() {
        this(Path.of(System.getProperty("java.io.tmpdir")));
    }

    SqliteConnector(Path temporaryDirectory) {
        this.temporaryDirectory = temporaryDirectory;
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.SQLITE;
    }

    @Override
    protected String versionQuery() {
        return "SELECT sqlite_version()";
    }

    /** A SQLite file holds exactly one database: the file itself, named by the path it was given. */
    @Override
    public List<String> listDatabases(ConnectionTarget target, Duration timeout) {
        withConnection(target, timeout, System.nanoTime(), connection -> null);
        return List.of(target.databaseName());
    }

    @Override
    public DumpResult dump(ConnectionTarget target, OutputStream out, DumpLog log, Cancellation cancellation,
            boolean fingerprint) {
        requireKind(target);
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
        Path copy = null;
        try {
            copy = Files.createTempFile(temporaryDirectory, "custos-sqlite-", ".db", OWNER_ONLY);
            Path destination = copy;
            String version = withConnection(target, BUSY_WAIT, System.nanoTime(), connection -> {
                String sqliteVersion = queryNames(connection, versionQuery(), name -> true).get(0);
                backup(connection, destination);
                return sqliteVersion;
            });
            log.info("copied " + target.databaseName() + " with the SQLite " + version + " online backup API");
            Fingerprint taken = null;
            if (fingerprint) {
                // The copy, not the source: the source may have moved on since, the copy is what the backup holds.
                taken = fingerprintFile(copy, cancellation);
                log.info("fingerprinted the copy: " + taken.tables().size() + " tables");
            }
            long bytes = stream(copy, out, cancellation);
            log.info("sqlite copy streamed: " + bytes + " bytes");
            DumpResult result = new DumpResult("sqlite", version, TOOL, SQLiteJDBCLoader.getVersion(), List.of());
            return fingerprint ? result.withFingerprint(taken) : result;
        } catch (ConnectorException e) {
            throw new DumpException("cannot copy the SQLite database: " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new DumpException("cannot fingerprint the copy of " + target.databaseName() + ": " + message(e), e);
        } catch (IOException e) {
            throw new DumpException("cannot copy the SQLite database " + target.databaseName() + ": " + e.getMessage(), e);
        } finally {
            deleteWithSiblings(copy);
        }
    }

    private Fingerprint fingerprintFile(Path file, Cancellation cancellation) throws SQLException {
        try (Connection connection = open(file, true, BUSY_WAIT)) {
            return SqliteFingerprint.take(connection, cancellation, clock.instant());
        }
    }

    /**
     * All pages in one step: the step reads under one read transaction, so the copy is the database as of one commit.
     * Several small steps would let a writer in between, and SQLite would restart the copy each time, forever under
     * a steady stream of writes.
     */
    private static void backup(Connection connection, Path destination) throws SQLException {
        SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
        int retries = (int) (BUSY_WAIT.toMillis() / BUSY_RETRY_MILLIS);
        int rc = sqlite.getDatabase().backup("main", destination.toString(), null, BUSY_RETRY_MILLIS, retries, -1);
        if (rc != SQLiteErrorCode.SQLITE_OK.code) {
            throw new SQLException("online backup failed: " + SQLiteErrorCode.getErrorCode(rc), null, rc);
        }
    }

    private static long stream(Path copy, OutputStream out, Cancellation cancellation) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        long total = 0;
        try (InputStream in = Files.newInputStream(copy)) {
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                if (cancellation.isCancelled()) {
                    throw new Cancellation.CancelledException();
                }
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw new DumpException("writing the dump failed: " + e.getMessage(), e);
                }
                total += n;
            }
        }
        return total;
    }

    /**
     * Deletes a copy (or a file a failed restore created) with what SQLite kept beside it; a reader of a WAL copy
     * leaves its -wal and -shm behind, having no right to delete them.
     */
    private static void deleteWithSiblings(Path file) {
        if (file == null) {
            return;
        }
        List<Path> files = new ArrayList<>(siblings(file));
        files.add(file);
        for (Path each : files) {
            try {
                Files.deleteIfExists(each);
            } catch (IOException e) {
                // A leftover 0600 file; nothing else to do about it here.
            }
        }
    }

    /** Where SQLite keeps a database's transient state beside it. */
    private static List<Path> siblings(Path file) {
        return SIBLING_SUFFIXES.stream().map(suffix -> Path.of(file + suffix)).toList();
    }

    @Override
    protected <T> T withConnection(ConnectionTarget target, Duration timeout, long started, SqlWork<T> work) {
        requireKind(target);
        Path file = existingFile(target.databaseName());
        // Another process may hold a write lock; wait for it only as long as the caller allows.
        try (Connection connection = open(file, true, timeout)) {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("PRAGMA schema_version")) {
                // Opening is lazy: only reading the header tells a database from any other file.
                rows.next();
            }
            return work.run(connection);
        } catch (SQLException e) {
            throw classify(e, file);
        }
    }

    private static Path filePath(String databaseName) {
        if (databaseName == null || databaseName.isBlank()) {
            throw new ConnectorException(ConnectionErrorType.DatabaseNotFound, "database file path is required");
        }
        try {
            return Path.of(databaseName).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConnectorException(
                    ConnectionErrorType.ConnectionError, "invalid database file path: " + databaseName, e);
        }
    }

    private static Path existingFile(String databaseName) {
        Path file = filePath(databaseName);
        if (Files.isDirectory(file)) {
            throw new ConnectorException(
                    ConnectionErrorType.ConnectionError, file + " is a directory, not a SQLite database file");
        }
        if (!Files.exists(file)) {
            throw new ConnectorException(ConnectionErrorType.DatabaseNotFound, "database file not found: " + file);
        }
        if (!Files.isReadable(file)) {
            throw new ConnectorException(ConnectionErrorType.ConnectionError, "database file is not readable: " + file);
        }
        return file;
    }

    private static ConnectorException classify(SQLException e, Path file) {
        int code = e.getErrorCode() & 0xff;
        if (code == SQLiteErrorCode.SQLITE_NOTADB.code) {
            return new ConnectorException(ConnectionErrorType.ConnectionError, "not a SQLite database: " + file, e);
        }
        if (code == SQLiteErrorCode.SQLITE_BUSY.code || code == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return new ConnectorException(ConnectionErrorType.Timeout, "database file is locked: " + file, e);
        }
        if (code == SQLiteErrorCode.SQLITE_CANTOPEN.code) {
            // The file vanished or became unreadable between the checks above and the open.
            return new ConnectorException(ConnectionErrorType.DatabaseNotFound, "cannot open database file: " + file, e);
        }
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ConnectorException(ConnectionErrorType.ConnectionError, text.replaceAll("\\s+", " ").trim(), e);
    }

    private static Connection open(Path file, boolean readOnly, Duration busyWait) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(readOnly);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, busyWait.toMillis())));
        return config.createConnection("jdbc:sqlite:" + file);
    }

    private static String message(SQLException e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return text.replaceAll("\\s+", " ").trim();
    }

    // Placeholders until this kind's restore lands; nothing calls them yet.
    @Override
    public RestoreResult restore(ConnectionTarget target, InputStream in, RestoreOptions options, DumpLog log,
            Cancellation cancellation) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public TargetState inspect(ConnectionTarget target, Duration timeout) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void createDatabase(ConnectionTarget target, Duration timeout) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void dropDatabase(ConnectionTarget target, Duration timeout) {
        throw new UnsupportedOperationException("not yet");
    }

    // ----------------------------------------------------------------------------------------------- fingerprint

    /** Read-only, in one read transaction; see {@link SqliteFingerprint} for what it covers. */
    @Override
    public Fingerprint fingerprint(ConnectionTarget target, Cancellation cancellation) {
        return withConnection(target, BUSY_WAIT, System.nanoTime(),
                connection -> SqliteFingerprint.take(connection, cancellation, clock.instant()));
    }
}
