package dev.custos.connectors;

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
    DumpResult dump(ConnectionTarget target, OutputStream out, DumpLog log, Cancellation cancellation);
}
