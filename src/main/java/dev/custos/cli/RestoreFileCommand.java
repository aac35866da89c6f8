package dev.custos.cli;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.custos.catalog.CustosProperties;
import dev.custos.connectors.Cancellation;
import dev.custos.connectors.ConnectionTarget;
import dev.custos.connectors.ConnectorException;
import dev.custos.connectors.Connectors;
import dev.custos.connectors.DatabaseConnector;
import dev.custos.connectors.DatabaseKind;
import dev.custos.connectors.DumpFormat;
import dev.custos.connectors.DumpLog;
import dev.custos.connectors.RestoreException;
import dev.custos.connectors.RestoreOptions;
import dev.custos.connectors.RestoreResult;
import dev.custos.connectors.TargetState;
import dev.custos.pipeline.IntegrityException;
import dev.custos.pipeline.Manifest;
import dev.custos.pipeline.Verification;

/**
 * {@code custos restore-file}: a backup file into a database, by the connector the server restores with and in the
 * server's order, which is its safety argument: check the target (exists, empty or confirmed, nobody else connected),
 * for MySQL read the whole file and check it first (its restores are not transactional), then stream the file,
 * verified as it is read, into the tool, which commits only once the stream ended verified.
 */
@Command(name = "restore-file", sortOptions = false,
        description = {"Restore a backup file into a database, without the server or its catalog.",
                "The password is never an argument: it comes from CUSTOS_TARGET_PASSWORD, else a prompt when there is a"
                        + " terminal, else it is empty."},
        footerHeading = "%nExamples:%n",
        footer = {"  export CUSTOS_TARGET_PASSWORD=…",
                "  custos restore-file 20240115_020000.dump.zst.enc --type postgresql \\",
                "      --host db.internal --user postgres --database shop_copy --create-database",
                "  custos restore-file app.sqlite.zst --type sqlite --database /srv/app.db \\",
                "      --confirm /srv/app.db"})
final class RestoreFileCommand implements Callable<Integer> {

    static final String PASSWORD_VARIABLE = "CUSTOS_TARGET_PASSWORD";
    private static final long PROGRESS_NANOS = 5_000_000_000L;

    /** The kinds Custos backs up, by their wire names. */
    enum Kind {
        postgresql(DatabaseKind.POSTGRESQL), mysql(DatabaseKind.MYSQL), sqlite(DatabaseKind.SQLITE);

        final DatabaseKind kind;

        Kind(DatabaseKind kind) {
            this.kind = kind;
        }
    }

    @Parameters(index = "0", paramLabel = "OBJECT", description = "The backup file (its manifest is OBJECT.manifest.json).")
    java.nio.file.Path object;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "postgresql, mysql or sqlite.")
    Kind type;

    @Option(names = "--database", required = true, paramLabel = "NAME",
            description = "The database to restore into; for sqlite the path of the database file.")
    String database;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1", description = "Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Default: the type's (5432, 3306).")
    int port;

    @Option(names = "--user", paramLabel = "USER", description = "The account to restore as.")
    String user;

    @Option(names = "--create-database", description = "Create the database when it does not exist.")
    boolean createDatabase;

    @Option(names = "--strict-delete",
            description = "Make the database hold exactly what the backup holds: objects not in the backup are dropped."
                    + " Allows restoring into a database that is not empty.")
    boolean strictDelete;

    @Option(names = "--confirm", paramLabel = "NAME",
            description = "Restore into a database that is not empty: its objects that are in the backup are replaced."
                    + " NAME must repeat --database.")
    String confirm;

    @Option(names = "--keep-definers", description = "MySQL: keep the dump's DEFINER clauses.")
    boolean keepDefiners;

    @Option(names = "--no-owner", description = "PostgreSQL: do not restore object ownership.")
    boolean noOwner;

    @Option(names = "--manifest", paramLabel = "FILE", description = "The manifest, when it is not beside the file.")
    java.nio.file.Path manifest;

    @Option(names = "--master-key-file", paramLabel = "FILE",
            description = "The master key. Default: CUSTOS_MASTER_KEY, else the data folder's master.key (./data/master.key).")
    java.nio.file.Path masterKeyFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private final Cli.Invocation invocation;

    RestoreFileCommand(Cli.Invocation invocation) {
        this.invocation = invocation;
    }

    @Override
    public Integer call() throws IOException {
        try (ConfigurableApplicationContext context = Contexts.tools(invocation.settings())) {
            return restore(context.getBean(CustosProperties.class), context.getBean(Connectors.class));
        }
    }

    /** The restore with the settings and connectors given: the server's, or a test's. */
    int restore(CustosProperties custos, Connectors connectors) throws IOException {
        PrintWriter err = invocation.terminal().err();
        BackupFile file = BackupFile.open(object, manifest, masterKeyFile, () -> custos);
        Manifest m = file.manifest();
        DatabaseKind kind = type.kind;
        if (m.engineType() != null && !m.engineType().equals(kind.value())) {
            throw new Failure(object + " is a backup of a " + m.engineType() + " database; --type is " + kind.value());
        }
        DatabaseConnector connector = connectors.forKind(kind)
                .orElseThrow(() -> new Failure("Restores of " + kind.value() + " databases are not supported"));
        ConnectionTarget target = target(kind);
        String where = describe(target);
        Duration timeout = custos.connectionTimeout();
        err.println("Checking " + where);
        TargetState state = inspect(connector, target, timeout, where);
        checkTarget(state, where);
        if (kind == DatabaseKind.MYSQL) {
            verifyFirst(file, err);
        }
        boolean created = false;
        if (!state.exists()) {
            connector.createDatabase(target, timeout);
            created = true;
            err.println("Created the empty " + where);
        }
        try {
            RestoreResult result = load(file, connector, target, where, err);
            err.println("Restored " + file.path() + " into " + where + " with " + result.tool() + " "
                    + result.toolVersion() + " (server " + result.serverVersion() + ")");
            result.warnings().forEach(w -> err.println("  warning: " + target.redact(w)));
            return 0;
        } catch (RuntimeException | IOException e) {
            boolean touched = !(e instanceof RestoreException re) || re.targetTouched();
            if (created) {
                try {
                    connector.dropDatabase(target, timeout);
                    err.println("Dropped " + where + ", which this restore had created");
                } catch (RuntimeException dropFailed) {
                    err.println("Could not drop " + where + ", which this restore had created: "
                            + dropFailed.getMessage());
                }
            } else if (!touched) {
                err.println("The target was not changed");
            } else {
                err.println("The target may be partly restored");
            }
            throw e;
        }
    }

    /** The account's password: from the environment, else typed at a terminal, else none (trust, peer, .pgpass). */
    ConnectionTarget target(DatabaseKind kind) {
        if (!kind.networked()) {
            // The server keeps SQLite paths absolute; a relative one would depend on where a connector resolves it.
            return new ConnectionTarget(kind, null, 0, java.nio.file.Path.of(database).toAbsolutePath().toString(),
                    null, null);
        }
        String password = invocation.terminal().environment().get(PASSWORD_VARIABLE);
        if (password == null && invocation.terminal().console() != null) {
            char[] typed = invocation.terminal().console().read("Password for " + (user == null ? "" : user + "@")
                    + host + " (or set " + PASSWORD_VARIABLE + "): ");
            password = typed == null ? "" : new String(typed);
        }
        return new ConnectionTarget(kind, host, port, database, user, password == null ? "" : password);
    }

    private static TargetState inspect(DatabaseConnector connector, ConnectionTarget target, Duration timeout,
            String where) {
        try {
            return connector.inspect(target, timeout);
        } catch (ConnectorException e) {
            throw new Failure("Cannot check " + where + ": " + e.getMessage());
        }
    }

    private void checkTarget(TargetState state, String where) {
        if (!state.exists() && !createDatabase) {
            throw new Failure(where + " does not exist: create it, or pass --create-database");
        }
        if (state.exists() && !state.empty() && !strictDelete && !database.equals(confirm)) {
            throw new Failure(where + " is not empty (" + state.userObjects() + " objects): pass --confirm "
                    + database + " to restore over them, or --strict-delete to make it hold exactly the backup."
                    + " Nothing was changed");
        }
        if (!state.otherSessions().isEmpty()) {
            throw new Failure(where + " is in use by " + state.otherSessions().size() + " other session(s): "
                    + String.join("; ", state.otherSessions()) + ". Stop them, then restore again; nothing was changed");
        }
    }

    private static void verifyFirst(BackupFile file, PrintWriter err) throws IOException {
        err.println("Verifying the whole file before touching the target (MySQL restores are not transactional)");
        Verification v = file.verify();
        if (!v.ok()) {
            throw new Failure("the backup file failed verification: " + v.message() + ". Nothing was restored",
                    Failure.INTEGRITY);
        }
        err.println("Verified: " + v.storedBytes() + " bytes, sha256 " + v.sha256());
    }

    private RestoreResult load(BackupFile file, DatabaseConnector connector, ConnectionTarget target, String where,
            PrintWriter err) throws IOException {
        Manifest m = file.manifest();
        RestoreOptions options = new RestoreOptions(DumpFormat.ofBackup(type.kind), m.serverVersion(), true,
                strictDelete, keepDefiners, noOwner);
        DumpLog log = (level, message) -> err.println("  " + level + ": " + target.redact(message));
        Cancellation cancellation = Cancellation.none();
        // Ctrl-C stops the tool (its process tree), as a cancel does in the server, rather than leave it running.
        Thread onInterrupt = new Thread(cancellation::cancel, "custos-restore-cancel");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        err.println("Restoring " + file.path() + " (" + m.fileFormat() + ", " + m.rawBytes() + " bytes) into " + where);
        try (InputStream decoded = file.decoded()) {
            BufferedInputStream in = new BufferedInputStream(new Progress(decoded, err), 64 * 1024);
            RestoreResult result = connector.restore(target, in, options, log, cancellation);
            // The tool committed; the stream must still end verified, as in the server.
            byte[] rest = new byte[64 * 1024];
            while (in.read(rest) >= 0) {
                // read to the end, where the pipeline checks size and SHA-256
            }
            return result;
        } catch (IntegrityException e) {
            throw new Failure("the backup file failed verification while restoring: " + e.getMessage(), Failure.INTEGRITY);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: the restore was interrupted
            }
        }
    }

    private static String describe(ConnectionTarget target) {
        if (!target.kind().networked()) {
            return "the " + target.kind().value() + " database " + target.databaseName();
        }
        return "the " + target.kind().value() + " database '" + target.databaseName() + "' on " + target.host() + ":"
                + target.port();
    }

    /** Says how far the restore got, every few seconds, on stderr. */
    private static final class Progress extends FilterInputStream {

        private final PrintWriter err;
        private long count;
        private long reportedAt = System.nanoTime();

        Progress(InputStream in, PrintWriter err) {
            super(in);
            this.err = err;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            count += n;
            long now = System.nanoTime();
            if (now - reportedAt >= PROGRESS_NANOS) {
                reportedAt = now;
                err.println(String.format(Locale.ROOT, "  read %.1f MB", count / 1e6));
            }
        }
    }
}
