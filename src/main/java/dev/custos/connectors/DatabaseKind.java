package dev.custos.connectors;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The kinds of database Custos knows about; {@link #value()} is the name used on the wire (JSON, catalog). */
public enum DatabaseKind {
    POSTGRESQL(5432, true),
    MYSQL(3306, true),
    /** A file on the Custos host: host and port are unused and the database name is the file's path. */
    SQLITE(0, false),
    SQLSERVER(1433, true),
    AZURE_SQL(1433, true);

    private final int defaultPort;
    private final boolean networked;

    DatabaseKind(int defaultPort, boolean networked) {
        this.defaultPort = defaultPort;
        this.networked = networked;
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts the exact wire names only, so that "PostgreSQL" or "postgres" are reported as errors, not guessed. */
    public static Optional<DatabaseKind> parse(String wireName) {
        if (wireName == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(kind -> kind.value().equals(wireName)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(DatabaseKind::value).toList();
    }

    public int defaultPort() {
        return defaultPort;
    }

    public boolean networked() {
        return networked;
    }

    @Override
    public String toString() {
        return value();
    }
}
