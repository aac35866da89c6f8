package dev.custos.connectors;

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
}
