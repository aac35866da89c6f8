package dev.custos.connectors;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/** Talks to one kind of database. Implementations are Spring components collected by {@link Connectors}. */
public interface DatabaseConnector {

    DatabaseKind kind();

    /**
     * Connects, logs in and runs a trivial query, all within {@code timeout}. Never throws for connection
     * problems; classifies them instead.
     */
    ConnectionCheck testConnection(ConnectionTarget target, Duration timeout);

    /**
     * User databases on the server, system databases and schemas excluded, sorted.
     *
     * @throws ConnectorException classified like {@link #testConnection}
     */
    List<String> listDatabases(ConnectionTarget target, Duration timeout);

    /**
     * Writes a consistent dump of {@code target.databaseName()} to {@code out}, streaming: memory stays bounded
     * whatever the database size. Does not close {@code out}. Cancelling stops the dump (kills the tool's
     * process tree) and makes this throw {@link Cancellation.CancelledException}.
     *
     * @throws DumpException when the dump cannot be made or the tool fails; the message holds the stderr tail
     */
    default DumpResult dump(ConnectionTarget target, OutputStream out, DumpLog log, Cancellation cancellation) {
        return dump(target, out, log, cancellation, false);
    }

    /**
     * {@link #dump(ConnectionTarget, OutputStream, DumpLog, Cancellation)}, and with {@code fingerprint} also the
     * {@link Fingerprint} of what was dumped in {@link DumpResult#fingerprint()}, taken from the dump's own snapshot
     * where the engine can share it (PostgreSQL), else as close to it as the engine allows (documented per kind).
     */
    DumpResult dump(ConnectionTarget target, OutputStream out, DumpLog log, Cancellation cancellation, boolean fingerprint);

    /**
     * Loads the dump read from {@code in} into {@code target.databaseName()}, which must exist (see
     * {@link #createDatabase}). {@code in} ends (read returns -1) only after the dump was read whole and, for a
     * stored backup, checked; if it throws, the restore must not commit: the connector keeps the end of the dump
     * (and so the tool's commit) back until {@code read} returned -1 ({@link HoldBackInputStream}) where the engine
     * restores in one transaction, and says in its documentation what is guaranteed where it cannot.
     * A dump from a newer PostgreSQL major than the target's is refused before the target is touched. Does not close
     * {@code in}. Cancelling kills the tool and throws {@link Cancellation.CancelledException}.
     *
     * @throws RestoreException the restore failed: the tool's stderr tail, and whether the target was touched
     */
    RestoreResult restore(ConnectionTarget target, InputStream in, RestoreOptions options, DumpLog log,
            Cancellation cancellation);

    /** Whether the target exists, what it holds, who else is connected to it. */
    TargetState inspect(ConnectionTarget target, Duration timeout);

    /**
     * Creates the empty database {@code target.databaseName()} (PostgreSQL from template0, MySQL with utf8mb4, SQLite
     * an empty file).
     *
     * @throws RestoreException it exists already, or cannot be created (the server's message)
     */
    void createDatabase(ConnectionTarget target, Duration timeout);

    /** Drops {@code target.databaseName()} if it exists, ending other sessions on it first. */
    void dropDatabase(ConnectionTarget target, Duration timeout);

    /**
     * The {@link Fingerprint} of the target as it is now, read in one consistent snapshot where the engine has
     * them. Reads every row: as slow as a full scan of the database.
     */
    Fingerprint fingerprint(ConnectionTarget target, Cancellation cancellation);
}
