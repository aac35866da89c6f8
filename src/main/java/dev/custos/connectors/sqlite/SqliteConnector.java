package dev.custos.connectors.sqlite;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.ConnectionErrorType;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpFormat;
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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteJDBCLoader;

/**
 * SQLite files on the Custos host. The database name is the file's path; host, port and credentials are
 * ignored. Files are only ever opened read-only, except by a restore and {@link #createDatabase}: testing a mistyped
 * path must not leave an empty database behind. A dump is a copy made with SQLite's online backup API into a private
 * temporary file, then streamed; its fingerprint is taken from that copy, so it is exactly what was dumped.
 *
 * <p>A restore always replaces the whole database file: {@link RestoreOptions#replace()} and
 * {@link RestoreOptions#strictDelete()} make no difference, the target holds exactly the backup afterwards. The
 * backup is first received whole into a private file beside the target and checked with {@code PRAGMA
 * integrity_check}; only then is it loaded with the online backup API, in one write transaction on the target, so
 * other connections see either the old database or the restored one and the target is unchanged by any failure
 * before that.
 */
@Component
public class SqliteConnector extends JdbcConnector {

    /** How long the copy waits for a writer that holds the file locked (rollback-journal mode). */
    private static final Duration BUSY_WAIT = Duration.ofSeconds(60);
    private static final int BUSY_RETRY_MILLIS = 100;
    private static final int COPY_BUFFER_BYTES = 512 * 1024;
    /**
     * How long a restore waits for other connections to let go of the target. A writer that holds it longer is in the
     * middle of real work that the restore would throw away: better to say the file is in use.
     */
    private static final Duration RESTORE_BUSY_WAIT = Duration.ofSeconds(5);
    private static final String TOOL = "sqlite-online-backup";
    /** Where a restore receives the backup: beside the target, named so that nobody takes it for a database. */
    static final String RESTORE_COPY_PREFIX = ".custos-restore-";
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** Where SQLite keeps a database's transient state; they belong to the file and go with it. */
    private static final List<String> SIBLING_SUFFIXES = List.of("-journal", "-wal", "-shm");

    /** Where copies are made; they need room for a whole database. */
    private final Path temporaryDirectory;
    private final Duration restoreBusyWait;
    private final Clock clock = Clock.systemUTC();

    /** Copies go to the JVM's temporary directory, which {@code -Djava.io.tmpdir} moves. */
    public SqliteConnector() {
        this(Path.of(System.getProperty("java.io.tmpdir")));
    }

    SqliteConnector(Path temporaryDirectory) {
        this(temporaryDirectory, RESTORE_BUSY_WAIT);
    }

    SqliteConnector(Path temporaryDirectory, Duration restoreBusyWait) {
        this.temporaryDirectory = temporaryDirectory;
        this.restoreBusyWait = restoreBusyWait;
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

    private static boolean internal(String name) {
        return name.regionMatches(true, 0, "sqlite_", 0, "sqlite_".length());
    }

    /** The SQLite library's own version, also where no database file is open. */
    private static String libraryVersion() {
        try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite::memory:")) {
            return connection.unwrap(SQLiteConnection.class).libversion();
        } catch (SQLException e) {
            throw new ConnectorException(ConnectionErrorType.ConnectionError, "SQLite is unavailable: " + message(e), e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- restore

    /**
     * Receives the backup whole into a 0600 file beside the target (same filesystem, so room is counted where it will
     * be needed), and touches the target only once {@code in} has ended, which for a stored backup means its size
     * and SHA-256 were checked, and the copy passed {@code PRAGMA integrity_check}. The copy is then loaded with the
     * online backup API into the target (created if missing), replacing all of it in one transaction. A cancel takes
     * effect while the backup is received or checked; the final page copy is local and runs to its end.
     */
    @Override
    public RestoreResult restore(ConnectionTarget target, InputStream in, RestoreOptions options, DumpLog log,
            Cancellation cancellation) {
        requireKind(target);
        if (options.format() != DumpFormat.SQLITE_FILE) {
            throw new RestoreException("a SQLite database is restored from a SQLite database file, not from a "
                    + options.format().name().toLowerCase(Locale.ROOT) + " dump; the target was not changed",
                    false);
        }
        Path file = restorableFile(target.databaseName());
        throwIfCancelled(cancellation);
        Path copy = null;
        try {
            copy = Files.createTempFile(file.getParent(), RESTORE_COPY_PREFIX, ".tmp", OWNER_ONLY);
            long bytes = receive(in, copy, cancellation);
            log.info("received the backup: " + bytes + " bytes");
            checkIntegrity(copy, cancellation);
            log.info("integrity_check of the received copy: ok");
            throwIfCancelled(cancellation);
            String version = libraryVersion();
            load(copy, file);
            log.info("replaced " + file + " with the backup using the SQLite " + version + " online backup API");
            return new RestoreResult(version, TOOL, version, List.of());
        } catch (IOException e) {
            throw new RestoreException("cannot write the backup's copy beside " + file + ": " + e.getMessage()
                    + "; the target was not changed", false, e);
        } finally {
            deleteWithSiblings(copy);
        }
    }

    /** The target's path, checked for what would make a restore fail only after receiving the whole backup. */
    private static Path restorableFile(String databaseName) {
        Path file;
        try {
            file = filePath(databaseName);
        } catch (ConnectorException e) {
            throw new RestoreException(e.getMessage(), false, e);
        }
        if (Files.isDirectory(file)) {
            throw new RestoreException(file + " is a directory, not a SQLite database file", false);
        }
        if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
            throw new RestoreException("directory " + file.getParent() + " does not exist", false);
        }
        return file;
    }

    private static void throwIfCancelled(Cancellation cancellation) {
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
    }

    /** Copies {@code in} to its end into {@code copy}, synced to disk so that a short write shows here, not later. */
    private static long receive(InputStream in, Path copy, Cancellation cancellation) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        byte[] head = new byte[DumpFormat.SNIFF_BYTES];
        int headLength = 0;
        long total = 0;
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            while (true) {
                int n = readBackup(in, buffer);
                throwIfCancelled(cancellation);
                if (n < 0) {
                    break;
                }
                if (headLength < head.length) {
                    int taken = Math.min(n, head.length - headLength);
                    System.arraycopy(buffer, 0, head, headLength, taken);
                    headLength += taken;
                    if (headLength == head.length) {
                        // Fail at once on a file that is no database at all rather than after receiving all of it.
                        requireSqliteHeader(head, headLength);
                    }
                }
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                total += n;
            }
            channel.force(true);
        }
        if (total == 0) {
            // SQLite would take an empty file for an empty database and empty the target with it.
            throw new RestoreException("the backup is empty; the target was not changed", false);
        }
        requireSqliteHeader(head, headLength);
        return total;
    }

    private static int readBackup(InputStream in, byte[] buffer) {
        try {
            return in.read(buffer);
        } catch (Cancellation.CancelledException | RestoreException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new RestoreException("reading the backup failed: " + e.getMessage() + "; the target was not changed",
                    false, e);
        }
    }

    private static void requireSqliteHeader(byte[] head, int length) {
        if (DumpFormat.sniff(DatabaseKind.SQLITE, head, length).isEmpty()) {
            throw new RestoreException("the backup is not a SQLite database file (it does not start with "
                    + "\"SQLite format 3\"); the target was not changed", false);
        }
    }

    /** Reads every page, so it takes as long as the copy is big; a cancel interrupts it. */
    private static void checkIntegrity(Path copy, Cancellation cancellation) {
        List<String> problems = new ArrayList<>();
        try (Connection connection = open(copy, true, Duration.ofSeconds(1));
                CancelInterrupts interrupts = new CancelInterrupts(connection.unwrap(SQLiteConnection.class), cancellation);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA integrity_check")) {
            while (rows.next()) {
                // A row may hold several problems, one a line, headed by the schema's name.
                for (String line : rows.getString(1).split("\n")) {
                    String problem = line.replace("*** in database main ***", "").trim();
                    if (!problem.isEmpty()) {
                        problems.add(problem);
                    }
                }
            }
        } catch (SQLException e) {
            throwIfCancelled(cancellation);
            throw new RestoreException("the backup is not a sound SQLite database: " + message(e)
                    + "; the target was not changed", false, e);
        }
        if (!problems.equals(List.of("ok"))) {
            int shown = Math.min(5, problems.size());
            String more = problems.size() > shown ? "; … and " + (problems.size() - shown) + " more" : "";
            throw new RestoreException("the backup is not a sound SQLite database: integrity_check found "
                    + String.join("; ", problems.subList(0, shown)) + more + "; the target was not changed", false);
        }
    }

    /**
     * Lets a cancel stop the connection's running statement (sqlite3_interrupt, which is meant to be called from another
     * thread), and never once the connection is closed, when its handle is gone.
     */
    private static final class CancelInterrupts implements AutoCloseable {
        private final SQLiteConnection connection;
        private final Runnable unregister;
        private boolean closed;

        CancelInterrupts(SQLiteConnection connection, Cancellation cancellation) {
            this.connection = connection;
            this.unregister = cancellation.onCancel(this::interrupt);
        }

        private synchronized void interrupt() {
            if (!closed) {
                try {
                    connection.getDatabase().interrupt();
                } catch (SQLException e) {
                    // The statement then runs to its end; the cancel is seen right after it.
                }
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            unregister.run();
        }
    }

    /**
     * The backup API from the copy into the target, all pages in one step: one write transaction on the target, which
     * SQLite rolls back on any failure. Run from the copy's side because sqlite-jdbc's restore direction (and its
     * {@code RESTORE FROM}) reports the copy's status, not the target's: a busy target would look restored.
     */
    private void load(Path copy, Path file) {
        boolean created = createIfMissing(file);
        int retries = (int) Math.max(1, restoreBusyWait.toMillis() / BUSY_RETRY_MILLIS);
        int rc;
        try (Connection source = open(copy, true, Duration.ofSeconds(1))) {
            rc = source.unwrap(SQLiteConnection.class).getDatabase()
                    .backup("main", file.toString(), null, BUSY_RETRY_MILLIS, retries, -1);
        } catch (SQLException e) {
            rc = e.getErrorCode();
        }
        if (rc == SQLiteErrorCode.SQLITE_OK.code) {
            return;
        }
        if (created) {
            deleteWithSiblings(file);
        }
        throw loadFailure(rc & 0xff, copy, file, created);
    }

    /** A missing target is created 0600 first: the backup API would create it with the process's umask. */
    private static boolean createIfMissing(Path file) {
        try {
            Files.createFile(file, OWNER_ONLY);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new RestoreException("cannot create " + file + ": " + e.getMessage() + "; nothing was changed", false, e);
        }
    }

    private RestoreException loadFailure(int rc, Path copy, Path file, boolean created) {
        String unchanged = created ? "; nothing was created" : "; the target was not changed";
        if (rc == SQLiteErrorCode.SQLITE_BUSY.code || rc == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return new RestoreException(file + " is in use: another connection kept it locked for "
                    + restoreBusyWait.toSeconds() + " s; let it finish or close it, then restore again" + unchanged, false);
        }
        if (rc == SQLiteErrorCode.SQLITE_NOTADB.code) {
            return new RestoreException(file + " exists but is not a SQLite database" + unchanged, false);
        }
        if (rc == SQLiteErrorCode.SQLITE_CANTOPEN.code) {
            return new RestoreException("cannot open " + file + " for writing" + unchanged, false);
        }
        if (rc == SQLiteErrorCode.SQLITE_READONLY.code) {
            return new RestoreException(readOnlyReason(copy, file) + unchanged, false);
        }
        // SQLite rolls the target's transaction back, but after an I/O error only opening the file again finishes that.
        return new RestoreException("loading the backup into " + file + " failed: "
                + SQLiteErrorCode.getErrorCode(rc) + (created ? unchanged
                        : "; SQLite rolls back the unfinished write; check the target with PRAGMA integrity_check"),
                !created);
    }

    /** SQLite cannot change the page size of a database in WAL mode, so such a target refuses other pages as read-only. */
    private static String readOnlyReason(Path copy, Path file) {
        try (Connection target = open(file, true, Duration.ofSeconds(1));
                Connection backup = open(copy, true, Duration.ofSeconds(1))) {
            String mode = single(target, "PRAGMA journal_mode");
            String targetPages = single(target, "PRAGMA page_size");
            String backupPages = single(backup, "PRAGMA page_size");
            if ("wal".equalsIgnoreCase(mode) && !targetPages.equals(backupPages)) {
                return file + " is in WAL mode with pages of " + targetPages + " bytes and the backup's are " + backupPages
                        + " bytes, which SQLite cannot change in WAL mode; restore into a new file, or set "
                        + "PRAGMA journal_mode=DELETE on the target first";
            }
        } catch (SQLException e) {
            // Fall back to the plain reason.
        }
        return file + " is read-only";
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    // ------------------------------------------------------------------------------------ inspect, create, drop

    /** A file that does not exist is a target that does not exist; other sessions are unknowable for SQLite. */
    @Override
    public TargetState inspect(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        if (!Files.exists(filePath(target.databaseName()))) {
            return new TargetState(false, 0, List.of(), libraryVersion());
        }
        return withConnection(target, timeout, System.nanoTime(), connection -> new TargetState(true,
                queryNames(connection, "SELECT name FROM sqlite_master", name -> !internal(name)).size(), List.of(),
                single(connection, versionQuery())));
    }

    @Override
    public void createDatabase(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        Path file = restorableFile(target.databaseName());
        try {
            Files.createFile(file, OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            throw new RestoreException("database file already exists: " + file, false, e);
        } catch (IOException e) {
            throw new RestoreException("cannot create " + file + ": " + e.getMessage(), false, e);
        }
        try (Connection connection = open(file, false, timeout); Statement statement = connection.createStatement()) {
            // An empty file is already an empty database to SQLite, but not to whatever looks for the header (file(1),
            // DumpFormat.sniff, a person): writing the header page makes it recognisably one.
            statement.execute("PRAGMA user_version = 0");
        } catch (SQLException e) {
            deleteWithSiblings(file);
            throw new RestoreException("cannot create the SQLite database " + file + ": " + message(e), false, e);
        }
    }

    /**
     * Deletes the file and its -journal, -wal and -shm. Processes that have it open keep reading the deleted file
     * until they close it: SQLite cannot end their sessions. A file that is not a SQLite database is refused, since
     * the path may point anywhere.
     */
    @Override
    public void dropDatabase(ConnectionTarget target, Duration timeout) {
        requireKind(target);
        Path file = filePath(target.databaseName());
        if (Files.isDirectory(file)) {
            throw new RestoreException(file + " is a directory, not a SQLite database file", false);
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !looksLikeSqlite(file)) {
            throw new RestoreException(file + " is not a SQLite database; it was not deleted", false);
        }
        // Siblings first: a hot journal left without its database would be played into the next file of that name.
        List<Path> files = new ArrayList<>(siblings(file));
        files.add(file);
        boolean deleted = false;
        for (Path each : files) {
            try {
                deleted |= Files.deleteIfExists(each);
            } catch (IOException e) {
                throw new RestoreException("cannot delete " + each + ": " + e.getMessage(), deleted, e);
            }
        }
    }

    /** Empty (SQLite's empty database) or starting with SQLite's header. */
    private static boolean looksLikeSqlite(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(SQLITE_HEADER.length);
            return head.length == 0 || Arrays.equals(head, SQLITE_HEADER);
        } catch (IOException e) {
            throw new RestoreException("cannot read " + file + ": " + e.getMessage(), false, e);
        }
    }

    // ----------------------------------------------------------------------------------------------- fingerprint

    /** Read-only, in one read transaction; see {@link SqliteFingerprint} for what it covers. */
    @Override
    public Fingerprint fingerprint(ConnectionTarget target, Cancellation cancellation) {
        return withConnection(target, BUSY_WAIT, System.nanoTime(),
                connection -> SqliteFingerprint.take(connection, cancellation, clock.instant()));
    }
}
