package dev.custos.connectors.postgres;

import dev.custos.connectors.Cancellation;
import dev.custos.connectors.Command;
import dev.custos.connectors.CommandResult;
import dev.custos.connectors.CommandRunner;
import dev.custos.connectors.CommandTimeoutException;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.DumpException;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.DumpTools;
import dev.custos.connectors.HoldBackInputStream;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One restore of a pg_dump dump into a PostgreSQL database: pg_restore for the custom format, psql for plain SQL,
 * both in a single transaction that cannot reach its commit before the caller's stream has ended (and, for a stored
 * backup, been checked): the stream goes through a {@link HoldBackInputStream}. With {@code strictDelete} the dump
 * goes into a fresh database that replaces the target by two renames only once it is complete.
 */
final class PgRestore {

    /** How restore sessions show in pg_stat_activity. */
    static final String APPLICATION_NAME = "custos restore";

    private static final String ROLLED_BACK = "; nothing was restored: the restore ran in one transaction, which was"
            + " rolled back";
    private static final String UNTOUCHED = "; the target was not touched";
    /** Warnings kept from a successful run; beyond them only a count. */
    private static final int MAX_WARNINGS = 100;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How pg_restore ("pg_restore: error: …") and psql ("psql:<stdin>:12: ERROR:  …") report the failure. */
    private static final Pattern ERROR_LINE = Pattern.compile("^pg_restore: error: |^psql:.*?: (ERROR|FATAL): ");

    private final PostgresConnector connector;
    private final CommandRunner runner;
    private final InstalledPgDumps pgDumps;

    PgRestore(PostgresConnector connector, CommandRunner runner, InstalledPgDumps pgDumps) {
        this.connector = connector;
        this.runner = runner;
        this.pgDumps = pgDumps;
    }

    RestoreResult run(ConnectionTarget target, InputStream in, RestoreOptions options, DumpLog log,
            Cancellation cancellation) {
        if (target.databaseName() == null || target.databaseName().isBlank()) {
            throw new RestoreException("a database name is required to restore PostgreSQL", false);
        }
        if (options.format() != DumpFormat.PG_CUSTOM && options.format() != DumpFormat.PG_PLAIN) {
            throw new RestoreException("PostgreSQL restores pg_dump dumps, not " + options.format(), false);
        }
        if (cancellation.isCancelled()) {
            throw new Cancellation.CancelledException();
        }
        DumpInput input = DumpInput.open(in, options.format());
        PgVersion server = serverVersion(target);
        log.info("connected to PostgreSQL " + server.text());
        refuseNewerSource(server, input.header(), options);
        boolean custom = options.format() == DumpFormat.PG_CUSTOM;
        Tool tool = tool(custom ? "pg_restore" : "psql", server, input.header());
        if (!custom && !input.header().madeByPgDump()) {
            log.warn("the SQL file does not start the way pg_dump starts its dumps: it runs as written, its own"
                    + " BEGIN and COMMIT included, and a file cut short cannot be told from a complete one");
        } else if (!custom && options.replace()) {
            log.info("a plain dump drops nothing before it creates: objects of the target that are in the dump"
                    + " make the restore fail unless the dump was made with pg_dump --clean");
        }
        if (options.strictDelete()) {
            return strict(target, input, options, tool, server, log, cancellation);
        }
        List<String> argv = custom
                ? pgRestoreArguments(tool.path(), target, target.databaseName(), options.replace(), options.noOwner())
                : psqlArguments(tool.path(), target, target.databaseName());
        // An SQL file of unknown origin may commit on its own: then a failure may leave part of it behind.
        boolean oneTransaction = custom || input.header().madeByPgDump();
        List<String> warnings = runTool(argv, tool, input, target, oneTransaction, log, cancellation);
        return new RestoreResult(server.text(), tool.name(), tool.version().text(), warnings);
    }

    /**
     * The dump goes into a fresh database made like the target; only when that restore succeeded does the fresh
     * database take the target's name, in one transaction with the target's rename out of the way. Until then the
     * target is not touched, and on any failure the fresh database is dropped.
     */
    private RestoreResult strict(ConnectionTarget target, DumpInput input, RestoreOptions options, Tool tool,
            PgVersion server, DumpLog log, Cancellation cancellation) {
        String name = target.databaseName();
        ConnectionTarget admin = PgDatabases.adminTarget(target);
        List<String> others = admin(admin, "cannot check who uses " + name,
                connection -> PgDatabases.otherSessions(connection, name));
        if (!others.isEmpty()) {
            throw new RestoreException("strict_delete replaces the database " + name + " with a freshly restored one,"
                    + " which cannot be done while other sessions are connected to it: " + String.join(", ", others)
                    + UNTOUCHED, false);
        }
        String suffix = HexFormat.of().formatHex(randomBytes(4));
        String fresh = PgDatabases.sideName(name, "_custos_" + suffix);
        String old = PgDatabases.sideName(name, "_custos_old_" + suffix);
        admin(admin, "cannot create the database " + fresh + " to restore into",
                connection -> {
                    PgDatabases.createLike(connection, name, fresh);
                    return null;
                });
        log.info("restoring into the new database " + fresh + "; " + name + " stays as it is until that succeeded");
        boolean swapped = false;
        List<String> warnings;
        try {
            List<String> argv = options.format() == DumpFormat.PG_CUSTOM
                    // Nothing to clean in a new database.
                    ? pgRestoreArguments(tool.path(), target, fresh, false, options.noOwner())
                    : psqlArguments(tool.path(), target, fresh);
            warnings = new ArrayList<>(runTool(argv, tool, input, target, true, log, cancellation));
            if (cancellation.isCancelled()) {
                throw new Cancellation.CancelledException();
            }
            admin(admin, "cannot put the restored database in the place of " + name, connection -> {
                PgDatabases.copyProperties(connection, name, fresh);
                PgDatabases.swap(connection, name, fresh, old);
                return null;
            });
            swapped = true;
        } finally {
            if (!swapped) {
                dropQuietly(admin, fresh, log);
            }
        }
        log.info(name + " now holds exactly the restored dump; the database it replaced is now " + old);
        try {
            admin(admin, "cannot drop the replaced database " + old, connection -> {
                PgDatabases.drop(connection, old);
                return null;
            });
            log.info("dropped the replaced database " + old);
        } catch (RestoreException e) {
            String warning = "the replaced database is kept as " + old + ": " + e.getMessage();
            log.warn(warning);
            warnings.add(warning);
        }
        return new RestoreResult(server.text(), tool.name(), tool.version().text(), warnings);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private void dropQuietly(ConnectionTarget admin, String database, DumpLog log) {
        try {
            admin(admin, "cannot drop " + database, connection -> {
                PgDatabases.drop(connection, database);
                return null;
            });
            log.info("dropped the unfinished database " + database);
        } catch (RuntimeException e) {
            log.warn("the unfinished database " + database + " could not be dropped; drop it by hand: "
                    + e.getMessage());
        }
    }

    /**
     * A dump from a newer major than the server holds what the server may not understand (new syntax, catalog
     * columns, pg_dump's newer archive entries); pg_restore would fail part-way, or worse, succeed with less.
     */
    private static void refuseNewerSource(PgVersion server, PgDumpHeader header, RestoreOptions options) {
        List<String> claims = new ArrayList<>();
        if (header.serverVersion() != null) {
            claims.add(header.serverVersion());
        }
        if (options.sourceServerVersion() != null) {
            claims.add(options.sourceServerVersion());
        }
        for (String claim : claims) {
            Optional<PgVersion> source = PgVersion.parse(claim);
            if (source.isPresent() && source.get().major() > server.major()) {
                throw new RestoreException("the dump comes from PostgreSQL " + source.get().text()
                        + ", a newer major version than the target server's PostgreSQL " + server.text()
                        + "; restore it into a PostgreSQL " + source.get().majorText() + " server or newer" + UNTOUCHED,
                        false);
            }
        }
    }

    /** An installed pg_restore or psql and its version. */
    record Tool(String name, Path path, PgVersion version) {
    }

    /**
     * pg_restore and psql from the bin directory of the pg_dump the dump rule picks for the server, and at least as
     * new as the pg_dump that wrote the dump: an older pg_restore refuses a newer archive format.
     */
    private Tool tool(String name, PgVersion server, PgDumpHeader header) {
        PgVersion needed = server;
        Optional<PgVersion> writer = PgVersion.parse(header.pgDumpVersion());
        if (writer.isPresent() && writer.get().major() > needed.major()) {
            needed = writer.get();
        }
        PgDump pgDump;
        try {
            pgDump = pgDumps.forServer(needed);
        } catch (DumpException e) {
            throw new RestoreException("no " + name + " fits: the target server is PostgreSQL " + server.text()
                    + (writer.isPresent() ? " and the dump was made by pg_dump " + writer.get().text() : "")
                    + ", so " + name + " " + needed.majorText() + " or newer is needed (" + e.getMessage() + ")"
                    + UNTOUCHED, false, e);
        }
        Path path = pgDump.path().resolveSibling(name);
        if (!Files.isExecutable(path)) {
            throw new RestoreException(name + " is not installed beside " + pgDump.path() + "; install the"
                    + " postgresql-client package of version " + pgDump.version().majorText() + UNTOUCHED, false);
        }
        PgVersion version;
        try {
            version = PgVersion.ofTool(DumpTools.versionLine(runner, path)).orElse(pgDump.version());
        } catch (DumpException e) {
            throw new RestoreException(e.getMessage() + UNTOUCHED, false, e);
        }
        return new Tool(name, path, version);
    }

    /**
     * Runs the tool with the dump on its stdin and turns its end into what {@code restore} promises.
     *
     * @param oneTransaction the tool's failure leaves the target as it was
     */
    private List<String> runTool(List<String> argv, Tool tool, DumpInput input, ConnectionTarget target,
            boolean oneTransaction, DumpLog log, Cancellation cancellation) {
        List<String> lines = new ArrayList<>();
        int[] dropped = {0};
        String[] firstError = {null};
        Command command = Command.of(argv)
                .withEnvironment(environment(target))
                .withStdin(new HoldBackInputStream(input))
                .withTimeout(DumpTools.DUMP_TIME_LIMIT)
                .withStderrLines(line -> {
                    synchronized (lines) {
                        if (firstError[0] == null && ERROR_LINE.matcher(line).find()) {
                            firstError[0] = line;
                        }
                        if (lines.size() < MAX_WARNINGS) {
                            lines.add(target.redact(line));
                        } else {
                            dropped[0]++;
                        }
                    }
                });
        String label = tool.name() + " " + tool.version().text();
        String rolledBack = oneTransaction ? ROLLED_BACK
                : "; statements the SQL file committed itself before the failure stay in the target";
        log.info(label + " started");
        CommandResult result;
        try {
            // psql echoes the results of the dump's SELECTs (set_config, setval): nobody needs them.
            result = runner.run(command, OutputStream.nullOutputStream(), cancellation);
        } catch (CommandTimeoutException e) {
            throw new RestoreException(target.redact(e.getMessage() + tail(e.stderrTail())) + rolledBack,
                    !oneTransaction, e);
        } catch (IOException e) {
            if (e == input.failure()) {
                throw new RestoreException("reading the backup failed: " + e.getMessage() + "; " + tool.name()
                        + " was stopped before the end of the dump"
                        + (oneTransaction ? ", so nothing was committed" : rolledBack), !oneTransaction, e);
            }
            throw new RestoreException(target.redact(tool.name() + " failed: " + e.getMessage()) + UNTOUCHED, false, e);
        }
        if (!result.succeeded()) {
            int code = result.exitCode();
            String how = code > 128 && code < 160 ? "was killed by signal " + (code - 128) : "exited with code " + code;
            String tail = result.stderrTail();
            String error;
            synchronized (lines) {
                error = firstError[0];
            }
            if (error != null && tail != null && !tail.contains(error)) {
                // The tool echoes the failed statement after its error; a long one pushes the error out of the tail.
                tail = error + "\n…\n" + tail;
            }
            throw new RestoreException(target.redact(tool.name() + " " + how + tail(tail)) + rolledBack,
                    !oneTransaction);
        }
        List<String> warnings;
        synchronized (lines) {
            warnings = new ArrayList<>(lines);
            if (dropped[0] > 0) {
                warnings.add("(" + dropped[0] + " more lines from " + tool.name() + " not shown)");
            }
        }
        warnings.forEach(log::warn);
        log.info(label + " finished in " + String.format(Locale.ROOT, "%.1f s", result.elapsed().toMillis() / 1000.0));
        return List.copyOf(warnings);
    }

    private static String tail(String stderrTail) {
        return stderrTail == null || stderrTail.isBlank() ? " and wrote nothing to stderr" : ": " + stderrTail.strip();
    }

    /**
     * Connection details as {@code --name=value} arguments, the database as a connection string so that no name is
     * read as one; the password is not among them.
     */
    static List<String> pgRestoreArguments(Path pgRestore, ConnectionTarget target, String database, boolean clean,
            boolean noOwner) {
        List<String> argv = new ArrayList<>(List.of(pgRestore.toString(), "--single-transaction", "--exit-on-error"));
        if (clean) {
            argv.addAll(List.of("--clean", "--if-exists"));
        }
        if (noOwner) {
            argv.add("--no-owner");
        }
        argv.addAll(connection(target, database));
        return argv;
    }

    /** psql reading the dump from stdin ({@code --file=-}: --single-transaction applies to files only). */
    static List<String> psqlArguments(Path psql, ConnectionTarget target, String database) {
        List<String> argv = new ArrayList<>(List.of(psql.toString(), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
                "--single-transaction"));
        argv.addAll(connection(target, database));
        argv.add("--file=-");
        return argv;
    }

    private static List<String> connection(ConnectionTarget target, String database) {
        List<String> argv = new ArrayList<>(List.of("--no-password", "--host=" + target.host(),
                "--port=" + target.port()));
        if (target.username() != null && !target.username().isBlank()) {
            argv.add("--username=" + target.username());
        }
        argv.add("--dbname=dbname=" + PostgresConnector.conninfoValue(database));
        return argv;
    }

    private static Map<String, String> environment(ConnectionTarget target) {
        Map<String, String> environment = new HashMap<>();
        if (target.password() != null && !target.password().isEmpty()) {
            environment.put("PGPASSWORD", target.password());
        }
        environment.put("PGCONNECT_TIMEOUT", Long.toString(DumpTools.CONNECT_TIMEOUT.toSeconds()));
        environment.put("PGAPPNAME", APPLICATION_NAME);
        return environment;
    }

    private PgVersion serverVersion(ConnectionTarget target) {
        try (Connection connection = connector.open(target, DumpTools.CONNECT_TIMEOUT)) {
            return PostgresConnector.serverVersion(connection);
        } catch (SQLException e) {
            if ("3D000".equals(e.getSQLState())) {
                throw new RestoreException("the database " + target.databaseName() + " does not exist on "
                        + target.host() + ":" + target.port() + "; create it first", false, e);
            }
            throw new RestoreException("cannot connect to PostgreSQL at " + target.host() + ":" + target.port() + ": "
                    + PostgresConnector.describe(e, target) + UNTOUCHED, false, e);
        }
    }

    @FunctionalInterface
    interface AdminWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs work on a connection to {@code admin}; a failure is a RestoreException saying what could not be done. */
    <T> T admin(ConnectionTarget admin, String failure, AdminWork<T> work) {
        try (Connection connection = connector.open(admin, DumpTools.CONNECT_TIMEOUT)) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new RestoreException(failure + ": " + PostgresConnector.describe(e, admin) + UNTOUCHED, false, e);
        }
    }

    /**
     * The dump as the tool reads it: its first bytes, read ahead for the header, then the rest of the caller's
     * stream; failures of that stream remembered so that they are told apart from the tool's.
     */
    private static final class DumpInput extends InputStream {
        private final InputStream stream;
        private final PgDumpHeader header;
        private volatile IOException failure;

        private DumpInput(InputStream stream, PgDumpHeader header) {
            this.stream = stream;
            this.header = header;
        }

        static DumpInput open(InputStream in, DumpFormat format) {
            byte[] head;
            try {
                head = in.readNBytes(PgDumpHeader.HEAD_BYTES);
            } catch (IOException e) {
                throw new RestoreException("reading the backup failed before the restore began: " + e.getMessage()
                        + UNTOUCHED, false, e);
            }
            PgDumpHeader header = PgDumpHeader.read(format, head, head.length);
            // A head shorter than asked for means the stream has ended: asking it again is not needed.
            InputStream whole = head.length < PgDumpHeader.HEAD_BYTES
                    ? new ByteArrayInputStream(head)
                    : new SequenceInputStream(new ByteArrayInputStream(head), new Unclosed(in));
            if (format == DumpFormat.PG_PLAIN && header.madeByPgDump()) {
                whole = new PlainPgDumpStream(whole);
            }
            return new DumpInput(whole, header);
        }

        PgDumpHeader header() {
            return header;
        }

        IOException failure() {
            return failure;
        }

        @Override
        public int read() throws IOException {
            try {
                return stream.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return stream.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        /** The caller closes its stream; the restore does not. */
        @Override
        public void close() {
        }
    }

    /** Passes reads through but not close: {@code restore} does not close the caller's stream. */
    private static final class Unclosed extends java.io.FilterInputStream {
        Unclosed(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
