package dev.custos.connectors;

import java.util.Objects;

/**
 * Where and as whom to connect.
 *
 * @param port         0 means the kind's default port
 * @param databaseName null to connect to the server itself (PostgreSQL's maintenance database "postgres",
 *                     no default database for MySQL); for SQLite the path of the database file
 */
public record ConnectionTarget(
        DatabaseKind kind, String host, int port, String databaseName, String username, String password) {

    public ConnectionTarget {
        Objects.requireNonNull(kind, "kind");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (port == 0) {
            port = kind.defaultPort();
        }
    }

    /**
     * Removes the password from a message that is about to reach a user or a log. Drivers do not normally
     * echo it; this is the second line of defence. Only whole-token occurrences are replaced, because
     * replacing a short password inside ordinary words would mangle the message and reveal the password.
     */
    public String redact(String text) {
        if (text == null || password == null || password.isEmpty()) {
            return text;
        }
        return text.replaceAll("(?<![\\p{Alnum}])" + java.util.regex.Pattern.quote(password) + "(?![\\p{Alnum}])", "***");
    }

    /** Never prints the password: targets end up in logs and exception messages. */
    @Override
    public String toString() {
        return "ConnectionTarget[kind=" + kind.value() + ", host=" + host + ", port=" + port
                + ", databaseName=" + databaseName + ", username=" + username
                + ", hasPassword=" + (password != null && !password.isEmpty()) + "]";
    }
}
